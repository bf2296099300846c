/**
 * Novell NetWare LIST lines (and servers imitating them), as Apache Commons Net's NetwareFTPEntryParser
 * and FileZilla document them:
 *
 *   d [RWCEAFMS] supervisor            512       Jan 16 18:53    login
 *   - [R----F--] rwinston            19968       Mar 12 15:20    Document name with spaces.doc
 *   d [----AF--]          0                        512 Feb 22 17:32 _ADMIN
 *
 * `d` or `-`, eight attribute letters (Read, Write, Create, Erase, Access control, File scan, Modify,
 * Supervisor) in brackets, the owner, the size, an `ls`-style date, and the name after padding. The
 * attributes are kept as `permissions`; they are trustee rights, not Unix bits, so there is no mode.
 */
import { FileEntry, LineParseResult } from './entry';
import { DateContext, localDate } from './dates';
import { Tokens, isBlank } from './tokens';
import { findSizeAndDate, lsDate, lsSize } from './unix';

const TOKENS = new Tokens(32);
const ATTRIBUTES = 'RWCEAFMS-';

/** Where a NetWare line's `[` is (after the type letter and a blank), or -1. */
export function netwareAt(line: string): number {
  let i = 0;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  const c = line.charCodeAt(i);
  if (c !== 100 && c !== 45) return -1;
  let k = i + 1;
  if (!isBlank(line.charCodeAt(k))) return -1;
  while (isBlank(line.charCodeAt(k))) k++;
  if (line.charCodeAt(k) !== 91 || line.charCodeAt(k + 9) !== 93) return -1;
  for (let p = k + 1; p < k + 9; p++) if (ATTRIBUTES.indexOf(line[p]) < 0) return -1;
  return k;
}

export function looksLikeNetware(line: string): boolean {
  return netwareAt(line) >= 0;
}

/** Parses one NetWare line. Never throws. */
export function netwareLine(line: string, dc: DateContext): LineParseResult {
  const open = netwareAt(line);
  if (open < 0) return { error: 'not a NetWare listing line' };
  let i = 0;
  while (isBlank(line.charCodeAt(i))) i++;
  const t = TOKENS;
  t.split(line, open + 10);
  const j = findSizeAndDate(t, 0, dc);
  if (j < 0 || lsSize.size < 0 || lsSize.gluedAt >= 0) return { error: 'no size and date found in the NetWare listing line' };
  const modified = localDate(dc, lsDate.year, lsDate.month, lsDate.day, lsDate.hour, lsDate.minute, lsDate.second, lsDate.ms, lsDate.zone);
  if (modified === undefined) return { error: `invalid date '${line.slice(t.start[lsDate.first], t.end[lsDate.last])}'` };
  let nameStart = t.end[lsDate.last];
  while (nameStart < line.length && isBlank(line.charCodeAt(nameStart))) nameStart++;
  if (nameStart >= line.length) return { error: 'no name after the date' };
  const entry: FileEntry = {
    name: line.slice(nameStart),
    type: line.charCodeAt(i) === 100 ? 'directory' : 'file',
    size: lsSize.size,
    modified,
    modifiedPrecision: lsDate.precision,
    permissions: line.slice(open, open + 10),
  };
  if (lsSize.index > 0) entry.owner = line.slice(t.start[0], t.end[lsSize.index - 1]);
  return { entry };
}
