/**
 * OS/2 LIST lines (IBM TCP/IP for OS/2), as Apache Commons Net's OS2FTPEntryParser and FileZilla's
 * parser tests document them:
 *
 *        0           DIR   12-30-97   12:32  jbrekke
 *   587823    RSA    DIR   01-08-97   13:58  OS2KRNL
 *    33280      A          02-09-97   13:49  OS2LDR
 *    36611      A    04-23-103  10:57  name          (a server that is not Y2K-safe: 103 = 2003)
 *     1123 DIR  A    10-05-100  23:38  dir
 *
 * Size, then `DIR` and/or attribute letters (Archive, Read-only, System, Hidden) in capitals, the date
 * MM-DD-YY (YYYY, or YYY counted from 1900), the time HH:MM, and the name after the padding.
 */
import { LineParseResult } from './entry';
import { DateContext, expandYear, localDate } from './dates';
import { Tokens, digitsValue, isBlank, isDigit } from './tokens';

const TOKENS = new Tokens(12);

function isAttributes(text: string): boolean {
  return /^[ARSH]{1,4}$/.test(text);
}

/** `[size, (DIR|attrs)*, MM-DD-YY, HH:MM, name]`: the token index of the date, or -1. */
function shape(t: Tokens, line: string): number {
  if (t.split(line) < 4 || t.digits(0) < 0) return -1;
  let k = 1;
  while (k < t.count && k <= 3 && (t.is(k, 'DIR') || isAttributes(t.text(k)))) k++;
  if (k + 2 >= t.count) return -1;
  if (!/^\d{2}-\d{2}-\d{2,4}$/.test(t.text(k)) || !/^\d{1,2}:\d{2}$/.test(t.text(k + 1))) return -1;
  return k;
}

export function looksLikeOs2(line: string): boolean {
  return isDigit(line.charCodeAt(line.length - line.trimStart().length)) && shape(TOKENS, line) >= 0;
}

export function os2Line(line: string, dc: DateContext): LineParseResult {
  const t = TOKENS;
  const k = shape(t, line);
  if (k < 0) return { error: 'not an OS/2 listing line' };
  let directory = false;
  for (let i = 1; i < k; i++) if (t.is(i, 'DIR')) directory = true;
  const s = t.start[k];
  const yearDigits = t.end[k] - s - 6;
  const month = digitsValue(line, s, s + 2) - 1;
  const day = digitsValue(line, s + 3, s + 5);
  const year = expandYear(digitsValue(line, s + 6, t.end[k]), yearDigits);
  const time = t.text(k + 1);
  const colon = time.indexOf(':');
  const modified = localDate(dc, year, month, day, Number(time.slice(0, colon)), Number(time.slice(colon + 1)), 0, 0);
  if (modified === undefined) return { error: `invalid date '${line.slice(s, t.end[k + 1])}'` };
  let nameStart = t.end[k + 1];
  while (nameStart < line.length && isBlank(line.charCodeAt(nameStart))) nameStart++;
  return {
    entry: { name: line.slice(nameStart), type: directory ? 'directory' : 'file', size: t.digits(0), modified, modifiedPrecision: 'minute' },
  };
}
