/**
 * EPLF, Bernstein's Easily Parsed LIST Format (https://cr.yp.to/ftp/list/eplf.html; ftp-srv with its
 * `ep` formatter, publicfile, old anonftpd):
 *
 *   +i8388621.48594,m825718503,r,s280,up755<TAB>name
 *
 * Facts: `/` directory, `r` retrievable file, `s<size>`, `m<Unix time>` (UTC), `up<octal mode>`,
 * `i<id>`; unknown facts are ignored.
 */
import { FileEntry, LineParseResult } from './entry';
import { digitsValue } from './tokens';

/** True when the line has EPLF's shape: `+`, facts, a TAB. */
export function looksLikeEplf(line: string): boolean {
  return line.charCodeAt(0) === 43 && line.indexOf('\t') > 0;
}

export function parseEplfLine(line: string): LineParseResult {
  const tab = line.indexOf('\t');
  if (line.charCodeAt(0) !== 43 || tab < 0) return { error: 'not an EPLF line' };
  const name = line.slice(tab + 1);
  if (name === '') return { error: 'EPLF line has no name' };
  const entry: FileEntry = { name, type: 'unknown' };
  let dir = false;
  let file = false;
  for (let i = 1; i < tab; ) {
    let comma = line.indexOf(',', i);
    if (comma < 0 || comma > tab) comma = tab;
    const c = line.charCodeAt(i);
    if (c === 47 && comma === i + 1) dir = true;
    else if (c === 114 && comma === i + 1) file = true;
    else if (c === 115) {
      const size = digitsValue(line, i + 1, comma);
      if (size >= 0) entry.size = size;
    } else if (c === 109) {
      const seconds = digitsValue(line, i + 1, comma);
      if (seconds >= 0) {
        const ms = seconds * 1000;
        if (ms <= 8.64e15) {
          entry.modified = ms;
          entry.modifiedPrecision = 'second';
        }
      }
    } else if (c === 117 && line.charCodeAt(i + 1) === 112 && comma - i >= 3 && comma - i <= 6 && /^[0-7]+$/.test(line.slice(i + 2, comma))) {
      entry.mode = parseInt(line.slice(i + 2, comma), 8);
    }
    i = comma + 1;
  }
  entry.type = dir ? 'directory' : file ? 'file' : 'unknown';
  return { entry };
}
