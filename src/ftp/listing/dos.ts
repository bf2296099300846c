/**
 * DOS / IIS style LIST lines:
 *
 *   11-22-26  12:01PM       <DIR>          name
 *   11-22-26  12:01PM                 1234 name
 *   11-22-2026  13:01       <DIR>          name
 *   11/22/2026  01:01 PM    <JUNCTION>     Application Data [C:\Users\me\AppData\Roaming]
 *
 * Dates are MM-DD-YY or MM-DD-YYYY (also with "/"; DD.MM.YY with dots; YYYY-MM-DD when the first field
 * has four digits; the context's dateOrder overrides); two-digit years 70-99 are 19xx, others 20xx.
 * Times are 12-hour with AM/PM or 24-hour, in the server's local time. `cmd /c dir` style
 * `<JUNCTION>` / `<SYMLINK>` / `<SYMLINKD>` entries give their target as `[target]`, `-> target` or
 * `=> target`; sizes may have thousands separators. The padding before the name is dropped whatever
 * its width (IIS aligns names 22 columns after the time, other servers elsewhere; Windows names do not
 * start with a space); trailing spaces are kept.
 */
import { LineParseResult, ListingOptions, newEntry } from './entry';
import { DateContext, dateContext, localDate, numericDate } from './dates';
import { digitsValue, isBlank, isDigit } from './tokens';

/** The head of a DOS line (date and time), filled by readHead. */
const head = { end: 0, a: 0, la: 0, b: 0, lb: 0, c: 0, lc: 0, sep: 0, hour: 0, minute: 0, second: -1, ampm: 0, timeText: 0 };

function digitRun(line: string, i: number): number {
  while (i < line.length && isDigit(line.charCodeAt(i))) i++;
  return i;
}

/** Reads `MM-DD-YY  HH:MM[:SS][ ]AM` at the start; sets `head` and returns true when the line starts that way. */
function readHead(line: string): boolean {
  let i = 0;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  const as = i;
  i = digitRun(line, i);
  if (i === as || i - as > 4) return false;
  const sep = line.charCodeAt(i);
  if (sep !== 45 && sep !== 47 && sep !== 46) return false;
  const bs = ++i;
  i = digitRun(line, i);
  if (i === bs || i - bs > 2 || line.charCodeAt(i) !== sep) return false;
  const cs = ++i;
  i = digitRun(line, i);
  if (i === cs || i - cs > 4 || !isBlank(line.charCodeAt(i))) return false;
  head.a = digitsValue(line, as, bs - 1);
  head.la = bs - 1 - as;
  head.b = digitsValue(line, bs, cs - 1);
  head.lb = cs - 1 - bs;
  head.c = digitsValue(line, cs, i);
  head.lc = i - cs;
  head.sep = sep;
  while (isBlank(line.charCodeAt(i))) i++;
  const hs = i;
  i = digitRun(line, i);
  if (i === hs || i - hs > 2 || line.charCodeAt(i) !== 58) return false;
  head.hour = digitsValue(line, hs, i);
  if (!isDigit(line.charCodeAt(i + 1)) || !isDigit(line.charCodeAt(i + 2))) return false;
  head.minute = digitsValue(line, i + 1, i + 3);
  i += 3;
  head.second = -1;
  if (line.charCodeAt(i) === 58) {
    if (!isDigit(line.charCodeAt(i + 1)) || !isDigit(line.charCodeAt(i + 2))) return false;
    head.second = digitsValue(line, i + 1, i + 3);
    i += 3;
  }
  head.ampm = 0;
  let k = i;
  if (isBlank(line.charCodeAt(k)) && !isBlank(line.charCodeAt(k + 1))) k++;
  const p = line.charCodeAt(k) | 32;
  if ((p === 97 || p === 112) && (line.charCodeAt(k + 1) | 32) === 109 && (k + 2 >= line.length || isBlank(line.charCodeAt(k + 2)))) {
    head.ampm = p;
    i = k + 2;
  }
  if (i < line.length && !isBlank(line.charCodeAt(i))) return false;
  head.timeText = hs;
  head.end = i;
  return true;
}

/** The column after the time: `<DIR>`-like or a size; returns its end, or -1. */
function columnEnd(line: string, i: number): number {
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  const c = line.charCodeAt(i);
  let k = i;
  if (c === 60) {
    k = line.indexOf('>', i);
    if (k < 0 || k - i > 16) return -1;
    k++;
  } else if (isDigit(c)) {
    while (k < line.length && (isDigit(line.charCodeAt(k)) || line.charCodeAt(k) === 44 || line.charCodeAt(k) === 46)) k++;
  } else return -1;
  return k >= line.length || isBlank(line.charCodeAt(k)) ? k : -1;
}

/** `1234`, `1,234,567` or `1.234.567`; -1 otherwise. */
function sizeOf(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d{1,3}(?:,\d{3})+$/.test(text) || /^\d{1,3}(?:\.\d{3})+$/.test(text)) return Number(text.replace(/[,.]/g, ''));
  return -1;
}

/** True when the line starts with a DOS date and time followed by a <DIR> or size column. */
export function looksLikeDos(line: string): boolean {
  return readHead(line) && columnEnd(line, head.end) >= 0;
}

/** Parses one DOS/IIS line. Times are server-local: see ListingContext. Never throws. */
export function parseDosLine(line: string, options: ListingOptions = {}): LineParseResult {
  return dosLine(line, dateContext(options));
}

const TARGET_ARROWS = [' -> ', ' => '];

export function dosLine(line: string, dc: DateContext): LineParseResult {
  if (!readHead(line)) return { error: 'not a DOS listing line' };
  const colEnd = columnEnd(line, head.end);
  if (colEnd < 0) return { error: 'no <DIR> or size column after the DOS date' };
  let hour = head.hour;
  if (head.ampm) {
    if (hour < 1 || hour > 12) return { error: `invalid time '${line.slice(head.timeText, head.end).replace(/\s+/g, '')}'` };
    hour = (hour % 12) + (head.ampm === 112 ? 12 : 0);
  }
  let dateStart = 0;
  while (isBlank(line.charCodeAt(dateStart))) dateStart++;
  const dateText = line.slice(dateStart, head.end);
  const date = numericDate(dc, head.a, head.la, head.b, head.lb, head.c, head.lc, head.sep === 46, true);
  if (!date || head.lc === 3) return { error: `invalid date '${dateText}'` };
  const modified = localDate(dc, date.year, date.month, date.day, hour, head.minute, head.second < 0 ? 0 : head.second, 0);
  if (modified === undefined) return { error: `invalid date '${dateText}'` };

  let colStart = head.end;
  while (isBlank(line.charCodeAt(colStart))) colStart++;
  const column = line.slice(colStart, colEnd);
  const entry = newEntry('', 'file');
  if (column.charCodeAt(0) === 60) {
    const upper = column.toUpperCase();
    if (upper === '<DIR>') entry.type = 'directory';
    else if (upper === '<JUNCTION>' || upper === '<SYMLINK>' || upper === '<SYMLINKD>') entry.type = 'symlink';
    else return { error: `unknown DOS column '${column}'` };
  } else {
    const size = sizeOf(column);
    if (size < 0) return { error: `invalid size '${column}'` };
    entry.size = size;
  }
  let nameStart = colEnd;
  while (nameStart < line.length && isBlank(line.charCodeAt(nameStart))) nameStart++;
  let name = line.slice(nameStart);
  if (entry.type === 'symlink') {
    // `name [target]`, `name -> target`, `name => target`: the first separator splits (names can be long: indexOf, no regex).
    const open = name.indexOf(' [');
    if (open > 0 && name.endsWith(']')) {
      entry.linkTarget = name.slice(open + 2, -1);
      name = name.slice(0, open);
    } else {
      for (const arrow of TARGET_ARROWS) {
        const at = name.indexOf(arrow);
        if (at > 0) {
          entry.linkTarget = name.slice(at + arrow.length);
          name = name.slice(0, at);
          break;
        }
      }
    }
  }
  if (name === '') return { error: 'no name in the DOS listing line' };
  entry.name = name;
  entry.modified = modified;
  entry.modifiedPrecision = head.second >= 0 ? 'second' : 'minute';
  return { entry };
}
