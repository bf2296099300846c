/**
 * Site lists made to hurt: a DTD with entities (billion laughs, an external file), a file over the
 * size limit, folders nested far past the depth limit, more entries than the limit, a huge JSON
 * nesting. Each is refused or cut with a reason, quickly, and nothing from it is run or fetched.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFileZilla } from '../../src/sites/import/filezilla';
import { parseSftpJson } from '../../src/sites/import/sftp-json';
import { parseSiteList } from '../../src/sites/import/parse';
import { MAX_DEPTH, MAX_ENTRIES, MAX_FILE_BYTES, decodeFile } from '../../src/sites/import/limits';
import { ImportFileError } from '../../src/sites/import/records';
import { readImportFixture } from '../fixtures/import';

const server = (i: number) => `<Server><Host>h${i}.example.com</Host><Port>21</Port><Protocol>6</Protocol><Logontype>0</Logontype><Name>s${i}</Name></Server>`;
const timed = <T>(fn: () => T): { value: T; ms: number } => {
  const t = Date.now();
  const value = fn();
  return { value, ms: Date.now() - t };
};

describe('hostile site lists', () => {
  test('a document type declaration (entities, an external file) is refused before parsing', () => {
    assert.throws(() => parseFileZilla(readImportFixture('filezilla-dtd.xml')), (e: Error) => e instanceof ImportFileError && /<!DOCTYPE>/.test(e.message));
    // Even without the DOCTYPE keyword an entity declaration is refused, whatever its case.
    assert.throws(() => parseFileZilla('<FileZilla3><!entity x "y"><Servers/></FileZilla3>'), /document type declaration/);
  });

  test('an undeclared entity is an error, not an expansion', () => {
    assert.throws(() => parseFileZilla('<FileZilla3><Servers><Server><Host>&xxe;</Host></Server></Servers></FileZilla3>'), /not well-formed XML/);
  });

  test('a file over the size limit is refused without being decoded', () => {
    const big = new Uint8Array(MAX_FILE_BYTES + 1);
    const { ms } = timed(() => assert.throws(() => decodeFile(big), /over 10 MB are not read/));
    assert.ok(ms < 100, `${ms} ms`);
    assert.throws(() => parseSiteList(big), /over 10 MB/);
  });

  test(`folders nested 20,000 deep: read to ${MAX_DEPTH} levels, the rest left out and said so, in well under a few seconds`, () => {
    const depth = 20_000;
    const xml = `<FileZilla3><Servers>${'<Folder>f'.repeat(depth)}${server(0)}${'</Folder>'.repeat(depth)}${server(1)}</Servers></FileZilla3>`;
    const { value, ms } = timed(() => parseFileZilla(xml));
    assert.deepEqual(value.sites.map((s) => s.name), ['s1']);
    assert.ok(value.problems.some((p) => /deeper than 32 levels/.test(p)));
    console.log(`    20,000 nested folders (${(xml.length / 1024).toFixed(0)} kB): ${ms} ms`);
    assert.ok(ms < 5000, `${ms} ms`);
  });

  test(`more than ${MAX_ENTRIES} servers: the first ${MAX_ENTRIES} are read, said so`, () => {
    const xml = `<FileZilla3><Servers>${Array.from({ length: MAX_ENTRIES + 10 }, (_, i) => server(i)).join('')}</Servers></FileZilla3>`;
    const { value, ms } = timed(() => parseFileZilla(xml));
    assert.equal(value.sites.length, MAX_ENTRIES);
    assert.ok(value.problems.some((p) => /first 5000 sites/.test(p)));
    console.log(`    ${MAX_ENTRIES + 10} servers (${(xml.length / 1024 / 1024).toFixed(1)} MB): ${ms} ms`);
    assert.ok(ms < 10_000, `${ms} ms`);
  });

  test('a 9 MB file of one huge text node (a name) is read, the name cut to 255 characters', () => {
    const xml = `<FileZilla3><Servers><Server><Host>h.example.com</Host><Port>21</Port><Protocol>6</Protocol><Logontype>0</Logontype><Name>${'n'.repeat(9 * 1024 * 1024)}</Name></Server></Servers></FileZilla3>`;
    const { value, ms } = timed(() => parseSiteList(Buffer.from(xml)));
    assert.equal(value.sites[0].name.length, 255);
    assert.ok(ms < 10_000, `${ms} ms`);
  });

  test('JSON nested a million deep is refused (not a configuration), without a crash; more configurations than the limit are cut', () => {
    assert.throws(() => parseSftpJson(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`), ImportFileError);
    const many = JSON.stringify(Array.from({ length: MAX_ENTRIES + 5 }, (_, i) => ({ protocol: 'ftp', host: `h${i}.example.com` })));
    const { sites, problems } = parseSftpJson(many);
    assert.equal(sites.length, MAX_ENTRIES);
    assert.ok(problems.some((p) => /first 5000/.test(p)));
  });

  test('a prototype-polluting key in sftp.json is data, not a prototype', () => {
    const { sites } = parseSftpJson('{"__proto__": {"polluted": true}, "protocol": "ftp", "host": "h.example.com", "profiles": {"__proto__": {"host": "x.example.com"}}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(sites[0].host, 'h.example.com');
  });
});
