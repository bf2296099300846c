/**
 * Fuzzing server path arithmetic: joinPath, parentPath and baseName undo each other; a link's
 * destination is an absolute path without `.`, `..` or empty segments, resolved as POSIX does; a
 * temporary name for a save stays in the file's folder, matches TEMP_PATTERN and never repeats.
 */
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import fc from 'fast-check';
import { describe } from 'node:test';
import { baseName, joinPath, parentPath } from '../../src/ftp/paths';
import { TEMP_PATTERN, linkDestination, tempName } from '../../src/ftp/save';
import { anyString, escaped, fuzz, isWellFormed, safeName } from './kit';

/** One segment of a normalized absolute path: a safe name. */
const segment = safeName;
/** A normalized absolute directory: `/` or `/a/b`, as the engine passes them. */
const dir = fc.array(segment, { maxLength: 6 }).map((s) => '/' + s.join('/'));
/** A folder as a caller may write it: with or without a trailing slash (joinPath takes one off, not more). */
const dirWithSlashes = fc.tuple(dir, fc.boolean()).map(([d, slash]) => (slash && d !== '/' ? d + '/' : d));
/** Any name that is one segment (no `/`), dot names included: joins are lexical. */
const oneSegment = fc.oneof(segment, fc.constantFrom('.', '..', '...', ' ', '\\', 'a\\..\\b')).filter((s) => s !== '' && !s.includes('/'));

const targetPiece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('..', '.', '', '...', '/', '//', 'a', 'b', '.hidden', '..a', 'a..', ' ', '\\', '~') },
  { weight: 1, arbitrary: segment },
);
/** Link targets: relative and absolute, with `.`/`..`/empty segments, climbing above the root, and noise. */
const target = fc.oneof(
  fc.array(targetPiece, { minLength: 1, maxLength: 10 }).map((parts) => parts.join('/')),
  fc.array(targetPiece, { minLength: 1, maxLength: 10 }).map((parts) => '/' + parts.join('/')),
  anyString(30),
);

function assertNormalizedAbsolute(p: string): void {
  assert.ok(p.startsWith('/'), `${JSON.stringify(p)} is not absolute`);
  if (p === '/') return;
  for (const s of p.slice(1).split('/')) {
    assert.ok(s !== '' && s !== '.' && s !== '..', `${JSON.stringify(p)} has a segment ${JSON.stringify(s)}`);
  }
}

describe('fuzz: paths', () => {
  fuzz('baseName(joinPath(d, n)) is n and parentPath(joinPath(d, n)) is d without trailing slashes', fc.property(dirWithSlashes, oneSegment, (d, n) => {
    const joined = joinPath(d, n);
    assert.equal(baseName(joined), n);
    assert.equal(parentPath(joined), d === '/' ? '/' : d.replace(/\/+$/, ''));
  }));

  fuzz('parentPath and baseName of any text never throw, and parentPath never grows', fc.property(anyString(60), (p) => {
    const parent = parentPath(p);
    const base = baseName(p);
    assert.equal(typeof base, 'string');
    assert.ok(parent === '/' || parent.length < p.length, `${JSON.stringify(p)} -> parent ${JSON.stringify(parent)}`);
  }));

  fuzz('linkDestination of a normalized path is absolute and normalized, and is where POSIX resolves the target', fc.property(dir, segment, target, (d, n, t) => {
    const path = joinPath(d, n);
    const out = linkDestination(path, t);
    if (t === '') {
      assert.equal(out, undefined);
      return;
    }
    assert.ok(out !== undefined);
    assertNormalizedAbsolute(out);
    assert.equal(out, posix.resolve(parentPath(path), t), `link ${JSON.stringify(path)} -> ${JSON.stringify(t)}`);
  }));

  fuzz('linkDestination of any path is absolute and normalized', fc.property(fc.oneof(anyString(40), fc.array(targetPiece, { maxLength: 6 }).map((p) => '/' + p.join('/'))), target, (path, t) => {
    // Was bug 4: `.` and `..` segments of the link's own path were kept ("/../x" -> "/../y").
    const out = linkDestination(path, t);
    if (out !== undefined) assertNormalizedAbsolute(out);
  }));

  fuzz('following a chain of links (each destination the next link\'s path) stays absolute and normalized', fc.property(dir, segment, fc.array(target, { minLength: 1, maxLength: 5 }), (d, n, targets) => {
    let at: string | undefined = joinPath(d, n);
    for (const t of targets) {
      if (at === undefined) break;
      at = linkDestination(at, t);
      if (at !== undefined) assertNormalizedAbsolute(at);
    }
  }));

  fuzz('tempName stays in the same folder, matches TEMP_PATTERN, and never repeats', fc.property(dir, segment, fc.constantFrom('tmp', 'bak'), (d, n, kind) => {
    // Was bug 2: TEMP_PATTERN's "." did not match U+2028/U+2029, so it missed the temp files of such names.
    const path = joinPath(d, n);
    const a = tempName(path, kind as 'tmp' | 'bak');
    const b = tempName(path, kind as 'tmp' | 'bak');
    assert.notEqual(a, b);
    for (const t of [a, b]) {
      assert.equal(parentPath(t), parentPath(path), `${JSON.stringify(t)} left the folder of ${JSON.stringify(path)}`);
      assert.match(baseName(t), TEMP_PATTERN);
      assert.ok(baseName(t).endsWith(`.${kind}`));
      assert.ok(!baseName(t).includes('/'));
      // Was bug 3: the name was cut at 80 UTF-16 units, which could split a surrogate pair.
      assert.ok(isWellFormed(t), `${escaped(t)} has a lone surrogate`);
    }
  }));
});
