import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ListingFormat, nameProblem, parseListing } from '../../src/ftp/listing';
import { NOW } from '../fixtures/listings/cases';

const now = new Date(NOW);

/** One line per format that names its entry `name`. */
function linesNaming(name: string): Array<[ListingFormat, string]> {
  return [
    ['list', `-rw-r--r-- 1 u g 5 Nov 22 12:01 ${name}`],
    ['list', `lrwxrwxrwx 1 u g 5 Nov 22 12:01 ${name} -> target`],
    ['list', `11-22-26  12:01PM                    5 ${name}`],
    ['list', `+r,s5\t${name}`],
    ['list', `d [RWCEAFMS] admin    512   Nov 20 10:00   ${name}`],
    ['list', `     5      A          11-17-98   16:07  ${name}`],
    ['list', `QSYS  5 11/22/26 10:00:00 *STMF      ${name}`],
    ['list', `2048    Feb-28-1998  05:23:30   ${name}`],
    ['mlsd', `type=file;size=5; ${name}`],
    ['nlst', name],
  ];
}

describe('a name is data, never a path (names.ts), in every format', () => {
  const unsafe = ['a/b', '../up', 'back\\slash', 'nul\u0000', 'bell\u0007', 'del\u007f', 'c1\u0085', 'gpj\u202eexe.txt', 'iso\u2066late', 'tab\there'];
  for (const name of unsafe) {
    test(`${JSON.stringify(name)} is refused with its line and the reason`, () => {
      for (const [format, line] of linesNaming(name)) {
        const r = parseListing([line], format, { now });
        assert.deepEqual(r.entries, [], `${format}: ${JSON.stringify(line)}`);
        assert.equal(r.unparsed.length, 1, `${format}: ${JSON.stringify(line)}`);
        assert.equal(r.unparsed[0].line, line);
        assert.equal(r.unparsed[0].reason.length > 0, true);
        if (!/\t|\/|\\/.test(name) || format !== 'list') assert.equal(r.unparsed[0].reason, nameProblem(name) ?? r.unparsed[0].reason);
      }
    });
  }

  test('. and .. are left out (not entries, not errors)', () => {
    for (const name of ['.', '..']) {
      for (const [format, line] of linesNaming(name)) {
        const r = parseListing([line], format, { now });
        assert.deepEqual(r, { entries: [], unparsed: [] }, `${format}: ${JSON.stringify(line)}`);
      }
    }
  });

  test('names that are safe, however odd, are kept', () => {
    for (const name of ['...', ' lead', 'trail ', 'a -> b', 'café', '日本語', 'x=y; z', '-rf', '~', '#!', 'CON', '\u00a0nbsp', 'emoji 🎉']) {
      for (const [format, line] of linesNaming(name)) {
        if (format === 'list' && /^ |\u00a0/.test(name) && !line.startsWith('-rw') && !line.startsWith('lrw')) continue; // padded formats drop leading blanks
        if (format === 'list' && name === 'a -> b' && line.startsWith('lrw')) continue; // the arrow splits a symlink's name
        const r = parseListing([line], format, { now });
        assert.deepEqual(r.unparsed, [], `${format}: ${JSON.stringify(line)}`);
        assert.equal(r.entries[0]?.name, name, `${format}: ${JSON.stringify(line)}`);
      }
    }
  });

  test('an MLSD symlink target listed by path becomes the link target, is absorbed, and is not refused', () => {
    const r = parseListing(['type=OS.unix=symlink;unique=7; latest', 'type=file;unique=7; /srv/v2.tar', 'type=file; /etc/passwd'], 'mlsd');
    assert.deepEqual(r.entries.map((e) => [e.name, e.linkTarget]), [['latest', '/srv/v2.tar']]);
    assert.deepEqual(r.unparsed.map((u) => u.line), ['type=file; /etc/passwd']);
    assert.match(r.unparsed[0].reason, /path separator/);
  });
});
