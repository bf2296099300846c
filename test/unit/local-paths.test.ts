/**
 * A download of a folder writes each listed name inside the chosen destination or not at all: the
 * local side's own check, whatever the engine already refused.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UnsafeNameError, childPath, isInside, unsafeName } from '../../src/ui/local-paths';

describe('childPath: one listed name, inside the destination', () => {
  const root = '/home/me/down';
  test('plain names are joined', () => {
    assert.equal(childPath(root, root, 'index.html'), '/home/me/down/index.html');
    assert.equal(childPath(root, '/home/me/down/a/b', '.htaccess'), '/home/me/down/a/b/.htaccess');
    assert.equal(childPath(root, root, '..hidden'), '/home/me/down/..hidden');
    assert.equal(childPath(root, root, 'a..b'), '/home/me/down/a..b');
  });
  for (const name of ['../../.ssh/authorized_keys', 'a/../../x', '..', '.', '', '/etc/passwd', '..\\x', 'a\\b', 'x\0y']) {
    test(`refuses ${JSON.stringify(name)}`, () => {
      assert.throws(() => childPath(root, root, name), (e: unknown) => e instanceof UnsafeNameError && e.entry === name);
    });
  }
  test('refuses a parent that is already outside the destination', () => {
    assert.throws(() => childPath(root, '/home/me', 'down2'), /would be written outside \/home\/me\/down/);
    assert.throws(() => childPath(root, '/home/me/downloads', 'x'), /outside/);
  });
  test('on Windows: backslashes, drives, streams, devices and trailing dots are refused', () => {
    const w = 'C:\\Users\\me\\down';
    assert.equal(childPath(w, w, 'index.html', 'win32'), 'C:\\Users\\me\\down\\index.html');
    for (const name of ['..\\x', 'a\\..\\..\\x', 'C:x', 'file.txt:stream', 'CON', 'nul.txt', 'com1', 'x.', 'x ', 'a?b', '..']) {
      assert.throws(() => childPath(w, w, name, 'win32'), UnsafeNameError, name);
    }
  });
});

describe('isInside', () => {
  test('posix', () => {
    assert.equal(isInside('/d', '/d'), true);
    assert.equal(isInside('/d', '/d/x/y'), true);
    assert.equal(isInside('/d', '/d/../e'), false);
    assert.equal(isInside('/d', '/dx'), false);
    assert.equal(isInside('/d', '/d/..x'), true);
  });
  test('windows: another drive is outside', () => {
    assert.equal(isInside('C:\\d', 'D:\\d\\x', 'win32'), false);
    assert.equal(isInside('C:\\d', 'c:\\D\\x', 'win32'), true);
  });
  test('unsafeName says why', () => {
    assert.equal(unsafeName('ok.txt'), undefined);
    assert.match(unsafeName('a/b')!, /separator/);
  });
});
