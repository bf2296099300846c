/**
 * The results of FTP: Find in Files as text, in the Search Editor's format: `# Query:` and flag
 * lines, a count, then each file's path and its lines as `  12: text`. Also where the matches, line
 * numbers and file headers sit in that text (for highlighting) and which spans open which match
 * (for links). No `vscode` import: unit-tested on its own.
 */
import type { LineMatch, Query } from './matcher';

export interface FileHits {
  /** Index of the searched folder the file is in. */
  root: number;
  /** Path relative to that folder, `/`-separated, no leading slash. */
  rel: string;
  matches: LineMatch[];
}

export interface SearchedFolder {
  /** What the user calls it: the workspace folder's name, or the site. */
  label: string;
  /** Its URI, as shown. */
  uri: string;
}

export interface Counts {
  /** Files the listing found (so far). */
  listed: number;
  folders: number;
  searched: number;
  binary: number;
  tooLarge: number;
  unreadable: number;
  /** Files left out by the include/exclude globs. */
  filtered: number;
  /** Links seen and not followed. */
  links: number;
  /** Folders deeper than the depth cap, not listed. */
  tooDeep: number;
  /** Folders the server would not list. */
  unlistable: number;
  /** The listing stopped at the entry cap. */
  capped: boolean;
  results: number;
  filesWithResults: number;
}

export type RunState = { state: 'running' } | { state: 'done'; ms: number } | { state: 'cancelled'; ms: number } | { state: 'failed'; message: string; ms: number } | { state: 'stopped'; ms: number; reason: string };

export interface Limits {
  maxDepth: number;
  maxEntries: number;
  maxFileSize: number;
}

export interface Span {
  line: number;
  start: number;
  end: number;
}

export interface Link extends Span {
  file: FileHits;
  /** The match the span opens; the file's header opens the first one. */
  match: LineMatch;
}

export interface Rendered {
  text: string;
  /** Each result line: the match it stands for (a definition provider opens it from anywhere on the line). */
  results: Link[];
  /** Matched text, to highlight. */
  matches: Span[];
  /** `  12:` prefixes. */
  prefixes: Span[];
  /** File header lines. */
  headers: number[];
  /** `#` lines and the summary. */
  comments: number[];
  /** Spans that open a match, as links: file headers and line numbers. */
  links: Link[];
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`; // VS Code's label for 1024 bytes
  return `${n.toLocaleString('en-US')} bytes`;
}

/** The path shown for a file: relative to its folder, with the folder's name first when several were searched. */
export function shownPath(file: FileHits, folders: SearchedFolder[]): string {
  return folders.length > 1 ? `${folders[file.root]?.label ?? '?'} • ${file.rel}` : file.rel;
}

/** The lines under the count: what was searched and skipped, and why it ended. */
export function summary(c: Counts, run: RunState, limits: Limits): string[] {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const skipped = c.binary + c.tooLarge + c.unreadable;
  const why = [c.binary && `${c.binary.toLocaleString('en-US')} binary`, c.tooLarge && `${c.tooLarge.toLocaleString('en-US')} over ${formatBytes(limits.maxFileSize)}`, c.unreadable && `${c.unreadable.toLocaleString('en-US')} unreadable`].filter(Boolean).join(', ');
  const lines: string[] = [];
  const listed = `${plural(c.listed, 'file')} in ${plural(c.folders, 'folder')}`;
  if (run.state === 'running') lines.push(`Searching… ${c.searched.toLocaleString('en-US')} of ${listed} listed so far`);
  else lines.push(`Searched ${c.searched.toLocaleString('en-US')} of ${listed}${skipped ? `; skipped ${skipped.toLocaleString('en-US')} (${why})` : ''}${c.filtered ? `; ${plural(c.filtered, 'file')} left out by the include/exclude globs` : ''}. ${seconds(run.ms)}.`);
  const notes: string[] = [];
  if (c.links) notes.push(`${plural(c.links, 'link')} not followed`);
  if (c.tooDeep) notes.push(`${plural(c.tooDeep, 'folder')} deeper than ${limits.maxDepth} not listed (ftpWorkspace.search.maxDepth)`);
  if (c.unlistable) notes.push(`${plural(c.unlistable, 'folder')} the server would not list`);
  if (c.capped) notes.push(`the listing stopped at ${limits.maxEntries.toLocaleString('en-US')} entries (ftpWorkspace.search.maxEntries)`);
  if (notes.length) lines.push(notes.join('; ').replace(/^./, (x) => x.toUpperCase()) + '.');
  if (run.state === 'cancelled') lines.push('Cancelled: the rest was not searched.');
  if (run.state === 'stopped') lines.push(`Stopped: ${run.reason}`);
  if (run.state === 'failed') lines.push(`Failed: ${run.message}`);
  return lines;
}

export interface RenderInput {
  query: Query;
  include?: string;
  exclude?: string;
  folders: SearchedFolder[];
  files: FileHits[];
  counts: Counts;
  run: RunState;
  limits: Limits;
}

/** The whole results document. Files are sorted by folder and path, so the text settles as results arrive. */
export function render(input: RenderInput): Rendered {
  const out: string[] = [];
  const r: Rendered = { text: '', results: [], matches: [], prefixes: [], headers: [], comments: [], links: [] };
  const comment = (text: string) => {
    r.comments.push(out.length);
    out.push(text);
  };
  const q = input.query;
  comment(`# Query: ${oneLine(q.pattern)}`);
  const flags = [q.isRegex && 'RegExp', q.matchCase && 'CaseSensitive', q.wholeWord && 'WordMatch'].filter(Boolean);
  if (flags.length) comment(`# Flags: ${flags.join(' ')}`);
  if (input.include) comment(`# Including: ${oneLine(input.include)}`);
  if (input.exclude) comment(`# Excluding: ${oneLine(input.exclude)}`);
  comment(`# FTP: ${input.folders.map((f) => `${f.label} (${f.uri})`).join(', ')}`);
  out.push('');
  const c = input.counts;
  comment(`${plural(c.results, 'result')} - ${plural(c.filesWithResults, 'file')}`);
  for (const line of summary(c, input.run, input.limits)) comment(line);

  const files = [...input.files].sort((a, b) => a.root - b.root || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const file of files) {
    if (!file.matches.length) continue;
    out.push('');
    const header = `${shownPath(file, input.folders)}:`;
    r.headers.push(out.length);
    r.links.push({ line: out.length, start: 0, end: header.length - 1, file, match: file.matches[0] });
    out.push(header);
    const width = String(file.matches[file.matches.length - 1].line + 1).length;
    for (const m of file.matches) {
      const prefix = `  ${String(m.line + 1).padStart(width)}: `;
      const line = out.length;
      r.prefixes.push({ line, start: 0, end: prefix.length - 1 });
      for (const [s, e] of m.ranges) r.matches.push({ line, start: prefix.length + s, end: prefix.length + e });
      r.links.push({ line, start: 2, end: prefix.length - 2, file, match: m });
      r.results.push({ line, start: prefix.length, end: prefix.length + m.preview.length, file, match: m });
      out.push(prefix + m.preview);
    }
  }
  out.push('');
  r.text = out.join('\n');
  return r;
}

/** Text for a `#` line: line breaks shown, not taken. */
function oneLine(text: string): string {
  return text.replace(/\r?\n|\r/g, '\\n');
}
