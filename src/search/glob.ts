/**
 * The "files to include" and "files to exclude" of FTP: Find in Files, read as VS Code's search
 * reads them: comma-separated globs; `*` and `?` within a name, `**` across folders, `{a,b}`
 * alternatives, `[abc]` classes. A glob without a slash matches a name at any depth (`*.php`,
 * `node_modules`); one with a slash is relative to the searched folder (`src/**\/*.ts`). A glob that
 * names a folder covers everything under it. No `vscode` import: unit-tested on its own.
 */

/** The globs of one field: split on commas outside braces, trimmed, empty ones dropped. */
export function splitGlobs(field: string | undefined): string[] {
  if (!field) return [];
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of field) {
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map((g) => g.trim()).filter((g) => g !== '');
}

/** One glob as a regular expression over a whole `/`-separated relative path. */
export function globToRegExp(glob: string): RegExp {
  let g = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  const anchored = g.startsWith('/') || g.replace(/\/+$/, '').includes('/');
  g = g.replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  let braces = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        // `**` is any number of whole folders: `a/**/b`, `**/b`, `a/**`.
        while (g[i + 1] === '*') i++;
        if (g[i + 1] === '/') {
          re += '(?:[^/]*/)*';
          i++;
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else if (c === '[') {
      const end = g.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = g.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  re += ')'.repeat(braces);
  // A folder's glob covers what is under it; a name's glob matches at any depth.
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${re}(?:/.*)?$`);
}

/** Whether a relative path is searched: it matches an include glob (when there are any) and no exclude glob. */
export function pathFilter(include: string | undefined, exclude: string | undefined): (relativePath: string) => boolean {
  const inc = splitGlobs(include).map(globToRegExp);
  const exc = splitGlobs(exclude).map(globToRegExp);
  return (rel) => {
    const p = rel.replace(/^\/+/, '');
    if (inc.length && !inc.some((r) => r.test(p))) return false;
    return !exc.some((r) => r.test(p));
  };
}
