/**
 * What Open Site's workspace file carries of a site only a workspace defines: the definition the
 * user opens from, merged with what was changed in the site's own window since it was carried.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { carrySite } from '../../src/sites/carried-site';

const hosting = { host: 'ftp.example.com', port: 21, user: 'me', transferMode: 'auto' };

describe('Open Site carries a workspace-defined site into the workspace file it opens', () => {
  test('first time: the definition as this window reads it', () => {
    assert.deepEqual(carrySite(hosting, undefined, undefined), hosting);
  });

  test('nothing changed anywhere: the same copy', () => {
    assert.deepEqual(carrySite(hosting, { ...hosting }, hosting), hosting);
  });

  test("a setting changed in the site's own window (Set Transfer Mode there) is kept", () => {
    const copy = { ...hosting, transferMode: 'active' };
    assert.deepEqual(carrySite(hosting, copy, hosting), copy);
  });

  test('a setting changed where the site is defined is carried over, beside one changed in the site window', () => {
    const source = { ...hosting, host: 'ftp2.example.com' };
    const copy = { ...hosting, transferMode: 'active' };
    assert.deepEqual(carrySite(source, copy, hosting), { ...hosting, host: 'ftp2.example.com', transferMode: 'active' });
  });

  test('changed on both sides: the definition the user opens from wins', () => {
    assert.deepEqual(carrySite({ ...hosting, transferMode: 'passive' }, { ...hosting, transferMode: 'active' }, hosting), { ...hosting, transferMode: 'passive' });
  });

  test('a setting removed where the site is defined goes; one added in the site window stays', () => {
    const { port: _port, ...withoutPort } = hosting;
    const copy = { ...hosting, remoteRoot: '/www' };
    assert.deepEqual(carrySite(withoutPort, copy, hosting), { host: 'ftp.example.com', user: 'me', transferMode: 'auto', remoteRoot: '/www' });
  });

  test('nested groups (passive, active) compare as values', () => {
    const source = { ...hosting, active: { portRange: [50000, 50100] } };
    const copy = { ...hosting, active: { portRange: [50000, 50100] }, transferMode: 'active' };
    assert.deepEqual(carrySite(source, copy, source), copy);
  });

  test('a copy with nothing to say when it was carried (no record): the definition wins', () => {
    assert.deepEqual(carrySite(hosting, { host: 'other.example.com' }, undefined), hosting);
  });

  test('only the user settings define it now: an unchanged copy is dropped, a changed one stays', () => {
    assert.equal(carrySite(undefined, { ...hosting }, hosting), undefined);
    assert.deepEqual(carrySite(undefined, { ...hosting, transferMode: 'active' }, hosting), { ...hosting, transferMode: 'active' });
    assert.equal(carrySite(undefined, undefined, undefined), undefined);
  });
});
