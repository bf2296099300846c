/**
 * DOS / IIS style LIST lines:
 *
 *   11-22-26  12:01PM       <DIR>          name
 *   11-22-26  12:01PM                 1234 name
 *   11-22-2026  13:01       <DIR>          name
 *
 * Dates are MM-DD-YY or MM-DD-YYYY (also with "/" or "."; YYYY-MM-DD when the first field has four
 * digits); two-digit years 70-99 are 19xx, others 20xx. Times are 12-hour with AM/PM or 24-hour, in
 * the server's local time. `cmd /c dir` style `<JUNCTION>` / `<SYMLINK>` / `<SYMLINKD>` entries with a
 * `[target]` suffix and thousands separators in sizes are read too.
 */
import { FileEntry, LineParseResult, ListingOptions } from './entry';
import { serverTimeToUtc } from './unix';

const HEAD = /^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s?([AaPp][Mm]))?(?=\s|$)/;
const COLUMN = /^(\s+)(<[A-Za-z]+>|\d[\d,.]*)(?=\s|$)/;
/** IIS pads the <DIR>/size column so that names start 22 characters after the time. */
const IIS_WIDTH = 22;

function year(text: string): number | undefined {
  if (text.length === 4) return Number(text);
  if (text.length === 2) {
    const y = Number(text);
    return y >= 70 ? 1900 + y : 2000 + y;
  }
  return undefined;
}

function sizeOf(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  // 1,234,567 or 1.234.567
  if (/^\d{1,3}(?:,\d{3})+$/.test(text) || /^\d{1,3}(?:\.\d{3})+$/.test(text)) return Number(text.replace(/[,.]/g, ''));
  return undefined;
}

/** True when the line starts with a DOS date and time followed by a <DIR> or size column. */
export function looksLikeDos(line: string): boolean {
  const head = HEAD.exec(line.trimStart());
  return head !== null && COLUMN.test(line.trimStart().slice(head[0].length));
}

/** Parses one DOS/IIS line. Times are server-local: see ListingOptions. Never throws. */
export function parseDosLine(line: string, options: ListingOptions = {}): LineParseResult {
  const s = line.trimStart();
  const head = HEAD.exec(s);
  if (!head) return { error: 'not a DOS listing line' };
  const afterTime = s.slice(head[0].length);
  const col = COLUMN.exec(afterTime);
  if (!col) return { error: 'no <DIR> or size column after the DOS date' };

  const [a, , b, c] = [head[1], head[2], head[3], head[4]];
  const yearFirst = a.length === 4;
  const y = year(yearFirst ? a : c);
  const month = Number(yearFirst ? b : a) - 1;
  const day = Number(yearFirst ? c : b);
  let hour = Number(head[5]);
  const minute = Number(head[6]);
  const second = head[7] !== undefined ? Number(head[7]) : undefined;
  const ampm = head[8]?.toUpperCase();
  if (ampm) {
    if (hour < 1 || hour > 12) return { error: `invalid time '${head[5]}:${head[6]}${head[8]}'` };
    hour = (hour % 12) + (ampm === 'PM' ? 12 : 0);
  }
  const dateText = s.slice(0, head[0].length);
  if (y === undefined || (yearFirst ? c.length > 2 : a.length > 2)) return { error: `invalid date '${dateText}'` };
  const modified = serverTimeToUtc({ year: y, month, day, hour, minute, second }, options);
  if (!modified) return { error: `invalid date '${dateText}'` };

  const column = col[2];
  const upper = column.toUpperCase();
  const entry: FileEntry = { name: '', type: 'file', modified, modifiedPrecision: second !== undefined ? 'second' : 'minute' };
  if (column.startsWith('<')) {
    if (upper === '<DIR>') entry.type = 'directory';
    else if (upper === '<JUNCTION>' || upper === '<SYMLINK>' || upper === '<SYMLINKD>') entry.type = 'symlink';
    else return { error: `unknown DOS column '${column}'` };
  } else {
    const size = sizeOf(column);
    if (size === undefined) return { error: `invalid size '${column}'` };
    entry.size = size;
  }

  // IIS layout: the name column is fixed, so a name's own leading spaces are kept. Elsewhere the column
  // width is unknown and all the padding goes.
  const padded = afterTime.slice(0, IIS_WIDTH);
  const iis = afterTime.length > IIS_WIDTH && (padded === '       <DIR>          ' || /^ +\d+ $/.test(padded));
  let name = iis ? afterTime.slice(IIS_WIDTH) : afterTime.slice(col[0].length).trimStart();
  if (entry.type === 'symlink') {
    // `name [target]`; the first " [" splits (indexOf, not a regex: names can be long).
    const open = name.indexOf(' [');
    if (open >= 0 && name.endsWith(']')) {
      entry.linkTarget = name.slice(open + 2, -1);
      name = name.slice(0, open);
    }
  }
  if (name === '') return { error: 'no name in the DOS listing line' };
  entry.name = name;
  return { entry };
}
