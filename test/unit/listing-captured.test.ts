/**
 * Listings captured from the real servers (test/fixtures/listings/captured/, see the README there):
 * each must parse without a single unparsed line and show the entries the capture set up.
 * A missing capture is a failure, not a skip: the corpus is part of the test suite.
 */
import { isoTime } from '../fixtures/listings/cases';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EntryType, FileEntry, parseListing } from '../../src/ftp/listing';
import { FIXTURE_DIR } from '../fixtures/listings/cases';

const CAPTURED = path.join(FIXTURE_DIR, 'captured');

/**
 * Every server gives a LIST capture; only those with MLST/MLSD give an MLSD one. `followsLinks`
 * names the captures whose server follows the symlink and reports `link-to-file` as the file it
 * points to (ftp-srv's LIST, pyftpdlib's MLSD).
 */
const SERVERS: Array<{ server: string; aliases: string[]; formats: Array<'list' | 'mlsd'>; followsLinks: Array<'list' | 'mlsd'> }> = [
  { server: 'vsftpd', aliases: [], formats: ['list'], followsLinks: [] },
  { server: 'proftpd', aliases: [], formats: ['list', 'mlsd'], followsLinks: [] },
  { server: 'pure-ftpd', aliases: ['pureftpd'], formats: ['list', 'mlsd'], followsLinks: [] },
  { server: 'pyftpdlib', aliases: [], formats: ['list', 'mlsd'], followsLinks: ['mlsd'] },
  { server: 'ftp-srv', aliases: ['ftpsrv'], formats: ['list'], followsLinks: ['list'] },
];

/** The entries the capture directory holds on every server (see captured/README.md). */
const EXPECTED: Array<{ name: string; type: EntryType; size?: number }> = [
  { name: 'regular.txt', type: 'file', size: 6 },
  { name: 'my file.txt', type: 'file', size: 7 },
  { name: '.htaccess', type: 'file', size: 14 },
  { name: 'café-ü.txt', type: 'file', size: 5 },
  { name: 'empty.txt', type: 'file', size: 0 },
  { name: 'old.txt', type: 'file', size: 4 },
  { name: 'recent.txt', type: 'file', size: 7 },
  { name: 'subdir', type: 'directory' },
];

function captureFile(server: { server: string; aliases: string[] }, format: 'list' | 'mlsd'): string | undefined {
  for (const name of [server.server, ...server.aliases]) {
    const file = path.join(CAPTURED, `${name}.${format}.txt`);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

function expectedFiles(): string {
  return SERVERS.flatMap((s) => s.formats.map((f) => `${s.server}.${f}.txt`)).join(', ');
}

describe('captured listings from real servers', () => {
  test('the capture directory exists', () => {
    assert.ok(fs.existsSync(CAPTURED), `${CAPTURED} is missing: expected captured listings ${expectedFiles()}`);
  });

  for (const s of SERVERS) {
    for (const format of s.formats) {
      test(`${s.server} ${format.toUpperCase()}`, () => {
        const file = captureFile(s, format);
        assert.ok(file, `missing capture ${path.join(CAPTURED, `${s.server}.${format}.txt`)} (expected: ${expectedFiles()})`);
        const text = fs.readFileSync(file, 'utf8');
        const { entries, unparsed } = parseListing(text, format);
        assert.deepEqual(unparsed, [], `unparsed lines in ${path.basename(file)}`);
        const byName = new Map<string, FileEntry>(entries.map((e) => [e.name, e]));
        for (const want of EXPECTED) {
          const got = byName.get(want.name);
          assert.ok(got, `${path.basename(file)}: no entry named ${JSON.stringify(want.name)} (have ${JSON.stringify([...byName.keys()])})`);
          assert.equal(got.type, want.type, `${path.basename(file)}: type of ${want.name}`);
          if (want.size !== undefined) assert.equal(got.size, want.size, `${path.basename(file)}: size of ${want.name}`);
        }
        const link = byName.get('link-to-file');
        assert.equal(link?.type, s.followsLinks.includes(format) ? 'file' : 'symlink', `${path.basename(file)}: link-to-file`);
        assert.equal(entries.length, EXPECTED.length + 1, `${path.basename(file)}: entry count`);
        // old.txt was dated 2019-03-04 05:06 UTC; LIST shows only the day for dates that old.
        const old = byName.get('old.txt')!;
        if (format === 'mlsd') assert.equal(isoTime(old.modified), '2019-03-04T05:06:00.000Z');
        else assert.equal(isoTime(old.modified)?.slice(0, 10), '2019-03-04');
        for (const e of entries) {
          assert.ok(e.name !== '.' && e.name !== '..', `${path.basename(file)}: . / .. not dropped`);
          assert.ok(e.modified !== undefined && !Number.isNaN(e.modified), `${path.basename(file)}: ${e.name} has no date`);
        }
      });
    }
  }
});
