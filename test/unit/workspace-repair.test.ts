import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { foldersToRestore } from '../../src/sites/workspace-repair';

const STORAGE = '/home/u/.local/share/code-server/User/globalStorage/pub.ftp-workspace/workspaces';
const FILE = `${STORAGE}/www.code-workspace`;
const CONTENT = { folders: [{ uri: 'ftp://www/', name: 'www' }], settings: {} };

describe('a site window that opened with no folders', () => {
  test('our workspace file, no folder shown: its FTP folders are put back', () => {
    assert.deepEqual(foldersToRestore(FILE, STORAGE, 0, CONTENT), [{ uri: 'ftp://www/', name: 'www' }]);
    assert.deepEqual(foldersToRestore(FILE, `${STORAGE}/`, 0, { folders: [{ uri: 'ftps://a/' }, { uri: 'file:///etc' }, { path: 'x' }, 'ftp://b/', null] }), [{ uri: 'ftps://a/' }]);
  });

  test('anything else is left alone', () => {
    assert.deepEqual(foldersToRestore(FILE, STORAGE, 1, CONTENT), [], 'a folder is shown: the start went well');
    assert.deepEqual(foldersToRestore('/home/u/project/p.code-workspace', STORAGE, 0, CONTENT), [], 'a workspace file of the user');
    assert.deepEqual(foldersToRestore(`${STORAGE}/sub/www.code-workspace`, STORAGE, 0, CONTENT), [], 'not directly in our folder');
    assert.deepEqual(foldersToRestore(`${STORAGE}/www.json`, STORAGE, 0, CONTENT), [], 'not a workspace file');
    assert.deepEqual(foldersToRestore(undefined, STORAGE, 0, CONTENT), [], 'no workspace file (a folder window)');
    assert.deepEqual(foldersToRestore(FILE, undefined, 0, CONTENT), [], 'storage not known yet');
    assert.deepEqual(foldersToRestore(FILE, STORAGE, 0, undefined), [], 'the file could not be read');
    assert.deepEqual(foldersToRestore(FILE, STORAGE, 0, { folders: [{ uri: 'file:///home/u' }] }), [], 'no FTP folder in it');
    assert.deepEqual(foldersToRestore(FILE, STORAGE, 0, { folders: [{ uri: 'ftp:///' }] }), [], 'no site in the URI');
  });
});
