/**
 * FTP: Find in Files' pure parts: globs, the query and where it matches, binary detection, and the
 * results document's text, highlights and links.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, pathFilter, splitGlobs } from '../../src/search/glob';
import { PREVIEW_MAX, compileQuery, findMatches } from '../../src/search/matcher';
import { decodeText, hasBinaryExtension, looksBinary } from '../../src/search/binary';
import { Counts, render, summary } from '../../src/search/results-format';

describe('include and exclude globs read as VS Code reads them', () => {
  test('a comma-separated field splits outside braces', () => {
    assert.deepEqual(splitGlobs(' *.php, src/**/*.{ts,js} ,,'), ['*.php', 'src/**/*.{ts,js}']);
    assert.deepEqual(splitGlobs(''), []);
  });
  const cases: Array<[string, string, boolean]> = [
    ['*.php', 'index.php', true],
    ['*.php', 'a/b/index.php', true],
    ['*.php', 'a/index.phps', false],
    ['node_modules', 'node_modules/x/y.js', true],
    ['node_modules', 'a/node_modules/y.js', true],
    ['node_modules', 'a/my_node_modules/y.js', false],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/deep/a.ts', false],
    ['src/*.ts', 'x/src/a.ts', false],
    ['src/**/*.ts', 'src/deep/er/a.ts', true],
    ['src/**/*.ts', 'src/a.ts', true],
    ['/www', 'www/index.html', true],
    ['**/*.min.js', 'js/app.min.js', true],
    ['*.{css,js}', 'css/site.css', true],
    ['*.{css,js}', 'site.html', false],
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file12.txt', false],
    ['[ab].txt', 'b.txt', true],
    ['[!ab].txt', 'b.txt', false],
    ['a.b', 'aXb', false],
    ['notes été.txt', 'notes été.txt', true],
  ];
  for (const [glob, path, expected] of cases) {
    test(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => assert.equal(globToRegExp(glob).test(path), expected));
  }
  test('include and exclude together: included and not excluded', () => {
    const f = pathFilter('*.php, *.html', 'vendor');
    assert.equal(f('index.php'), true);
    assert.equal(f('vendor/lib.php'), false);
    assert.equal(f('style.css'), false);
    assert.equal(pathFilter('', '')('anything/at/all'), true);
  });
});

describe('the query and its matches', () => {
  test('plain text is literal, any case by default', () => {
    const re = compileQuery({ pattern: 'a.b(c)' });
    assert.deepEqual(findMatches('xx A.B(C) a.b(c) aXb(c)', re).map((m) => m.ranges), [[[3, 9], [10, 16]]]);
  });
  test('match case', () => {
    assert.equal(findMatches('Needle needle', compileQuery({ pattern: 'needle', matchCase: true }))[0].count, 1);
  });
  test('whole words, in any script', () => {
    const re = compileQuery({ pattern: 'été', wholeWord: true });
    assert.deepEqual(findMatches('été étés lété été_ (été)', re)[0].ranges, [[0, 3], [20, 23]]);
  });
  test('a regular expression; a bad one is a SyntaxError', () => {
    const re = compileQuery({ pattern: 'id-\\d+', isRegex: true });
    assert.deepEqual(findMatches('id-1 id- id-22', re)[0].ranges, [[0, 4], [9, 14]]);
    assert.throws(() => compileQuery({ pattern: '(', isRegex: true }), SyntaxError);
    assert.throws(() => compileQuery({ pattern: '' }), SyntaxError);
  });
  test('empty matches do not loop forever and are not results', () => {
    assert.deepEqual(findMatches('abc\n\nx', compileQuery({ pattern: 'z*', isRegex: true })), []);
    assert.equal(findMatches('abc', compileQuery({ pattern: '^', isRegex: true })).length, 0);
  });
  test('lines are numbered as the editor numbers them (CRLF, LF, CR)', () => {
    const m = findMatches('a\r\nb\nneedle\rc needle', compileQuery({ pattern: 'needle' }));
    assert.deepEqual(m.map((x) => [x.line, x.column, x.endColumn]), [[2, 0, 6], [3, 2, 8]]);
  });
  test('a long line keeps a preview around its first match, with the ranges moved', () => {
    const line = 'x'.repeat(10_000) + 'needle' + 'y'.repeat(10_000);
    const [m] = findMatches(line, compileQuery({ pattern: 'needle' }));
    assert.equal(m.column, 10_000);
    assert.ok(m.preview.length <= PREVIEW_MAX + 2);
    assert.ok(m.preview.startsWith('…') && m.preview.endsWith('…'));
    const [s, e] = m.ranges[0];
    assert.equal(m.preview.slice(s, e), 'needle');
  });
  test('characters that would break or reorder a results line are shown as U+FFFD, ranges unmoved', () => {
    const [m] = findMatches('a\u202eb\u2028needle', compileQuery({ pattern: 'needle' }));
    assert.equal(m.preview, 'a\ufffdb\ufffdneedle');
    assert.deepEqual(m.ranges, [[4, 10]]);
  });
});

describe('binary files', () => {
  test('known binary extensions are never downloaded', () => {
    for (const n of ['a.PNG', 'x.tar.gz', 'font.woff2', 'db.sqlite']) assert.equal(hasBinaryExtension(n), true, n);
    for (const n of ['a.php', 'README', '.htaccess', 'png', 'x.svg', 'data.json']) assert.equal(hasBinaryExtension(n), false, n);
  });
  test('a NUL in the first 8 kB is binary; one after is not looked at; a UTF-16 BOM is text', () => {
    assert.equal(looksBinary(Buffer.from('text\0more')), true);
    assert.equal(looksBinary(Buffer.concat([Buffer.alloc(8192, 0x61), Buffer.from([0])])), false);
    assert.equal(looksBinary(Buffer.from('\ufeffhi', 'utf16le')), false);
    assert.equal(looksBinary(Buffer.from('plain')), false);
  });
  test('text is decoded from UTF-8, or UTF-16 by its BOM', () => {
    assert.equal(decodeText(Buffer.from('\ufeffnotes été', 'utf8')), 'notes été');
    assert.equal(decodeText(Buffer.from('\ufeffhé', 'utf16le')), 'hé');
    const be = Buffer.from('\ufeffhé', 'utf16le').swap16();
    assert.equal(decodeText(be), 'hé');
  });
});

describe('the results document', () => {
  const counts: Counts = { listed: 2000, folders: 101, searched: 1990, binary: 7, tooLarge: 1, unreadable: 2, filtered: 0, links: 3, tooDeep: 0, unlistable: 0, capped: false, results: 3, filesWithResults: 2 };
  const limits = { maxDepth: 20, maxEntries: 50_000, maxFileSize: 1024 * 1024 };
  const files = [
    { root: 0, rel: 'b/two.php', matches: findMatches('x\n'.repeat(11) + 'a needle here needle', compileQuery({ pattern: 'needle' })) },
    { root: 0, rel: 'a/one.txt', matches: findMatches('needle', compileQuery({ pattern: 'needle' })) },
  ];
  const r = render({ query: { pattern: 'needle', matchCase: true }, include: '*.php', folders: [{ label: 'demo', uri: 'ftp://demo/' }], files, counts, run: { state: 'done', ms: 4200 }, limits });
  const lines = r.text.split('\n');

  test('is in the Search Editor format, files sorted by path', () => {
    assert.deepEqual(lines.slice(0, 4), ['# Query: needle', '# Flags: CaseSensitive', '# Including: *.php', '# FTP: demo (ftp://demo/)']);
    assert.ok(lines.includes('3 results - 2 files'));
    const a = lines.indexOf('a/one.txt:');
    assert.ok(a > 0 && lines[a + 1] === '  1: needle');
    const b = lines.indexOf('b/two.php:');
    assert.ok(b > a && lines[b + 1] === '  12: a needle here needle');
  });
  test('says what was searched and skipped, and how long it took', () => {
    assert.ok(lines.includes('Searched 1,990 of 2,000 files in 101 folders; skipped 10 (7 binary, 1 over 1 MB, 2 unreadable). 4.2 s.'), r.text);
    assert.ok(lines.includes('3 links not followed.'), r.text);
  });
  test('highlights each match and links each line to its match', () => {
    const b = lines.indexOf('b/two.php:') + 1;
    const onLine = r.matches.filter((m) => m.line === b).map((m) => lines[b].slice(m.start, m.end));
    assert.deepEqual(onLine, ['needle', 'needle']);
    const link = r.links.find((l) => l.line === b)!;
    assert.equal(link.file.rel, 'b/two.php');
    assert.equal(link.match.line, 11);
    assert.equal(link.match.column, 2);
    const header = r.links.find((l) => l.line === b - 1)!;
    assert.equal(header.match.line, 11, 'a file header opens its first match');
    assert.deepEqual(r.headers, [lines.indexOf('a/one.txt:'), b - 1]);
  });
  test('several folders: each path names its folder', () => {
    const two = render({ query: { pattern: 'x' }, folders: [{ label: 'a', uri: 'ftp://a/' }, { label: 'b', uri: 'ftp://b/' }], files: [{ root: 1, rel: 'f.txt', matches: files[1].matches }], counts, run: { state: 'running' }, limits });
    assert.ok(two.text.split('\n').includes('b • f.txt:'));
  });
  test('the summary while running, cancelled, capped, failed', () => {
    assert.match(summary(counts, { state: 'running' }, limits)[0], /^Searching… 1,990 of 2,000 files in 101 folders listed so far$/);
    assert.ok(summary(counts, { state: 'cancelled', ms: 10 }, limits).includes('Cancelled: the rest was not searched.'));
    assert.match(summary({ ...counts, capped: true, tooDeep: 2 }, { state: 'done', ms: 10 }, limits)[1], /2 folders deeper than 20 not listed .*stopped at 50,000 entries/);
    assert.ok(summary(counts, { state: 'failed', message: 'lost', ms: 1 }, limits).includes('Failed: lost'));
  });
  test('a query with a line break stays on its # line', () => {
    const t = render({ query: { pattern: 'a\nb', isRegex: true }, folders: [{ label: 'd', uri: 'ftp://d/' }], files: [], counts, run: { state: 'running' }, limits }).text;
    assert.equal(t.split('\n')[0], '# Query: a\\nb');
  });
});
