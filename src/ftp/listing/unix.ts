/**
 * `ls -l` style LIST lines, as most Unix-like servers (and many others imitating them) send:
 *
 *   -rw-r--r--   1 owner    group        1234 Nov 22 12:01 name
 *   drwxr-xr-x+  2 owner    Domain Users 4096 Nov 22  2024 dir
 *   lrwxrwxrwx   1 owner    group           7 2024-11-22 12:01 link -> target
 *   crw-rw-rw-   1 root     root         1, 3 Nov 22 12:01 null
 *
 * The columns between the permissions and the name vary (no link count, no group, owners and groups
 * with spaces, a group glued to the size), so the line is not split on whitespace: the date is found
 * first (the leftmost "size date" run of tokens), everything before the size is link count / owner /
 * group, and the name is everything after the single space that follows the date, spaces kept.
 *
 * Dates: `Nov 22 12:01`, `Nov 22  2024`, BSD `Nov 22 12:01:33 2024`, `Oct 08, 2002 09:47`, day first
 * (`22 Nov 12:01`, German `26. Juli, 20:10`, Catalan `5 de març 2026`, Vietnamese `5 Thg 3 2026`),
 * month names in some forty languages (dates.ts), Chinese/Japanese/Korean `3月 15日 2021年`,
 * `2026年 3月 5日`, `11월 28일 09:05`, `7月26日`, year first (`2026 márc 5`), ISO `2024-11-22 12:01`
 * (`--full-iso` with fraction and zone), numeric dates in any field order (`24-04-2003 17:12`,
 * `1999/10/12`, `2004.07.15`, `09-26 13:45`, Finnish `5. 3. 2026` and `28.11. 09:05`, `01-jun-99`),
 * times with `.` (`09.05`), `24:00`. Sizes: bytes, `major, minor` of devices, human sizes (`33.5k`,
 * approximate). Lines without any date (`drwxr-xr-x 3 user group 512 name`) are read when nothing
 * after the size looks like a date. Also: Connect:Enterprise (`-C--E-----FTP B owner group size ...`),
 * NetPresenz/MacOS `-rw-r--r--  data  resource  total ...` columns, `ls -s`/`ls -i` numbers in front.
 *
 * Impossible values are refused, never guessed: the leftmost date-shaped run decides, and if its
 * values are impossible (hour 30, day 36, Feb 30) the line is unparsed.
 */
import { EntryType, FileEntry, LineParseResult, newEntry } from './entry';
import { DateContext, englishMonthAt, expandYear, localDate, monthFromName, numericDate } from './dates';
import { RecentStrings, Tokens, digitsValue, isBlank, isDigit } from './tokens';

export { serverTimeToUtc } from './dates';
export type { LocalDateTime } from './dates';

const TOKENS = new Tokens(64);
const OWNERS = new RecentStrings();
const PERMISSIONS = new RecentStrings();

const YEAR_CJK = 0x5e74; // 年
const YEAR_KO = 0xb144; // 년
const MONTH_CJK = 0x6708; // 月
const MONTH_KO = 0xc6d4; // 월
const DAY_CJK = 0x65e5; // 日
const DAY_KO = 0xc77c; // 일

/** The date run found by findSizeAndDate, in server-local fields; reused for every line. */
const lsDate = {
  first: 0,
  last: 0,
  year: -1,
  month: 0,
  day: 0,
  hour: 0,
  minute: 0,
  second: 0,
  ms: 0,
  zone: undefined as number | undefined,
  precision: 'day' as 'second' | 'minute' | 'day',
  /** 0: exactly one space before the name; 1: all spaces (alignment unknown); 2: one space, or two after a padded year. */
  nameRule: 0,
};

/** The size column found by findSizeAndDate. */
const lsSize = {
  index: 0,
  size: -1,
  approximate: false,
  major: -1,
  minor: -1,
  /** A group glued to the size (`longgroup123456`): the offset where the digits start. */
  gluedAt: -1,
};

// Exported by name (not `export const`) so that the compiled module reads them as locals, not through `exports`.
export { lsDate, lsSize, lsName };

/** Reads a time token: `12:01`, `0:23`, `12:01:33`, `12:01:33.500000000`, `24:00`; dots (`09.05`) when allowed. */
function readTime(line: string, s: number, e: number, dots: boolean): boolean {
  let i = s;
  let h = 0;
  while (i < e && isDigit(line.charCodeAt(i)) && i - s < 2) h = h * 10 + line.charCodeAt(i++) - 48;
  if (i === s || i >= e) return false;
  const sep = line.charCodeAt(i);
  if (sep !== 58 && !(dots && sep === 46)) return false;
  if (e - i < 3 || !isDigit(line.charCodeAt(i + 1)) || !isDigit(line.charCodeAt(i + 2))) return false;
  const minute = (line.charCodeAt(i + 1) - 48) * 10 + line.charCodeAt(i + 2) - 48;
  i += 3;
  let second = -1;
  let ms = 0;
  if (i < e) {
    if (line.charCodeAt(i) !== sep || e - i < 3 || !isDigit(line.charCodeAt(i + 1)) || !isDigit(line.charCodeAt(i + 2))) return false;
    second = (line.charCodeAt(i + 1) - 48) * 10 + line.charCodeAt(i + 2) - 48;
    i += 3;
    if (i < e) {
      if (sep !== 58 || line.charCodeAt(i) !== 46 || i + 1 >= e) return false;
      let scale = 100;
      for (let k = i + 1; k < e; k++) {
        const c = line.charCodeAt(k);
        if (!isDigit(c)) return false;
        ms += (c - 48) * scale;
        scale /= 10;
      }
      ms = Math.floor(ms);
    }
  }
  lsDate.hour = h;
  lsDate.minute = minute;
  lsDate.second = second < 0 ? 0 : second;
  lsDate.ms = ms;
  lsDate.precision = second < 0 ? 'minute' : 'second';
  return true;
}

/** A four-digit year token (`2024`, `2024年`, `2024년`, `2024,`); -1 otherwise. */
function yearToken(line: string, s: number, e: number): number {
  let end = e;
  const last = line.charCodeAt(end - 1);
  if (last === YEAR_CJK || last === YEAR_KO || last === 44) end--;
  return end - s === 4 ? digitsValue(line, s, end) : -1;
}

/** A day token (`5`, `22`, `5.`, `22,`, `5日`, `5일`); -1 otherwise. `lsDay.dot` / `lsDay.comma` say which suffix it had. */
const lsDay = { dot: false, comma: false };
function dayToken(line: string, s: number, e: number): number {
  let end = e;
  const last = line.charCodeAt(end - 1);
  lsDay.dot = last === 46;
  lsDay.comma = last === 44;
  if (lsDay.dot || lsDay.comma || last === DAY_CJK || last === DAY_KO) end--;
  if (end - s < 1 || end - s > 2) return -1;
  return digitsValue(line, s, end);
}

/** `3月` / `11월`: the month number (1-12 not checked here); -1 otherwise. lsCjk.day is set for a glued `7月26日`. */
const lsCjk = { day: -1 };
function cjkMonth(line: string, s: number, e: number): number {
  let i = s;
  while (i < e && isDigit(line.charCodeAt(i))) i++;
  if (i === s || i - s > 2 || i >= e) return -1;
  const mark = line.charCodeAt(i);
  if (mark !== MONTH_CJK && mark !== MONTH_KO) return -1;
  const month = digitsValue(line, s, i);
  lsCjk.day = -1;
  if (i + 1 === e) return month;
  // Glued day: 7月26日 / 7월26일
  const dayEnd = line.charCodeAt(e - 1) === DAY_CJK || line.charCodeAt(e - 1) === DAY_KO ? e - 1 : e;
  const day = dayEnd - (i + 1) <= 2 ? digitsValue(line, i + 1, dayEnd) : -1;
  if (day < 0) return -1;
  lsCjk.day = day;
  return month;
}

/** Month of a name token (any language), -1 otherwise; English three-letter names by char codes. */
function monthName(line: string, s: number, e: number): number {
  if (e - s === 3) {
    const m = englishMonthAt(line, s);
    if (m >= 0) return m;
  }
  if (e - s > 14 || isDigit(line.charCodeAt(s))) return -1;
  return monthFromName(line.slice(s, e));
}

/** Time or year in the third position of a date; fills lsDate and returns true when it is one. */
function timeOrYear(t: Tokens, k: number, dots: boolean): boolean {
  if (k >= t.count) return false;
  const line = t.line;
  const s = t.start[k];
  const e = t.end[k];
  if (readTime(line, s, e, dots)) {
    lsDate.year = -1;
    return true;
  }
  const y = yearToken(line, s, e);
  if (y < 0) return false;
  lsDate.year = y;
  lsDate.hour = 0;
  lsDate.minute = 0;
  lsDate.second = 0;
  lsDate.ms = 0;
  lsDate.precision = 'day';
  return true;
}

/** After a year-form date: a year preceded by a single space was padded after it (`5. Mär 2026  a` in de_DE). */
function yearRule(t: Tokens, yearToken: number): number {
  return lsDate.precision === 'day' && t.start[yearToken] - t.end[yearToken - 1] === 1 ? 2 : 0;
}

/** Month-first dates from token j (month already read as m): `Nov 22 12:01`, `Nov 22  2024`, BSD, `Oct 08, 2002 09:47`. */
function monthFirst(t: Tokens, j: number, m: number, dots: boolean): boolean {
  if (j + 2 >= t.count) return false;
  const line = t.line;
  const day = dayToken(line, t.start[j + 1], t.end[j + 1]);
  if (day < 0) return false;
  const comma = lsDay.comma;
  if (!timeOrYear(t, j + 2, dots)) return false;
  lsDate.month = m;
  lsDate.day = day;
  lsDate.first = j;
  lsDate.last = j + 2;
  lsDate.nameRule = 0;
  if (lsDate.year < 0 && lsDate.precision === 'second' && j + 3 < t.count) {
    // BSD ls -lT: Nov 22 12:01:33 2024
    const y = yearToken(line, t.start[j + 3], t.end[j + 3]);
    if (y >= 0 && line.charCodeAt(t.end[j + 3] - 1) !== 44) {
      lsDate.year = y;
      lsDate.last = j + 3;
    }
  } else if (lsDate.year >= 0 && comma && j + 3 < t.count && readTime(line, t.start[j + 3], t.end[j + 3], false)) {
    // VShell: Oct 08, 2002 09:47
    lsDate.last = j + 3;
  } else if (lsDate.year >= 0) {
    lsDate.nameRule = yearRule(t, j + 2);
  }
  return true;
}

/** Day-first dates: `22 Nov 12:01`, `26. Juli, 20:10`, `2. Okt. 2003`, `5 de març 2026`, `5 Thg 3 2026`, Finnish `5. 3. 2026`. */
function dayFirst(t: Tokens, j: number, day: number, dotted: boolean): boolean {
  const line = t.line;
  let k = j + 1;
  if (k < t.count && (t.is(k, 'de') || t.is(k, 'del'))) k++; // Catalan / Spanish
  if (k + 1 >= t.count) return false;
  let m = -1;
  if ((t.line.charCodeAt(t.start[k]) | 32) === 116 && t.length(k) === 3 && line.slice(t.start[k], t.end[k]).toLowerCase() === 'thg') {
    // Vietnamese: 5 Thg 3 2026
    const n = k + 1 < t.count ? t.digits(k + 1) : -1;
    if (n < 1 || n > 12) return false;
    m = n - 1;
    k++;
  } else if (dotted && line.charCodeAt(t.end[k] - 1) === 46 && t.length(k) <= 3) {
    // Finnish: 5. 3. 2026
    const n = digitsValue(line, t.start[k], t.end[k] - 1);
    if (n < 1 || n > 12) return false;
    m = n - 1;
  } else {
    m = monthName(line, t.start[k], t.end[k]);
    if (m < 0) {
      const cjk = cjkMonth(line, t.start[k], t.end[k]);
      if (cjk < 1 || lsCjk.day >= 0) return false;
      m = cjk - 1;
    }
  }
  if (!timeOrYear(t, k + 1, true)) return false;
  lsDate.month = m;
  lsDate.day = day;
  lsDate.first = j;
  lsDate.last = k + 1;
  lsDate.nameRule = lsDate.year >= 0 ? yearRule(t, k + 1) : 0;
  return true;
}

/** Year-first dates: `2026年 3月 5日`, `2026년  3월  5일`, `2019年 7月26日`, Hungarian `2026 márc   5`, `2003 3月 20`. */
function yearFirst(t: Tokens, j: number, year: number, dc: DateContext): boolean {
  const line = t.line;
  if (j + 1 >= t.count) return false;
  const s1 = t.start[j + 1];
  const e1 = t.end[j + 1];
  let month = cjkMonth(line, s1, e1);
  let day: number;
  let last = j + 2;
  if (month >= 1 && lsCjk.day >= 0) {
    day = lsCjk.day;
    last = j + 1;
    month--;
  } else {
    if (month >= 1) month--;
    else {
      month = monthName(line, s1, e1);
      if (month < 0) return false;
    }
    if (last >= t.count) return false;
    day = dayToken(line, t.start[last], t.end[last]);
    if (day < 0) return false;
  }
  // `4096 2019 Nov 22 12:01 x` is size 2019 and a month-first date, not year 2019 (nor `4096 Nov 02  2024`).
  if (last + 1 < t.count && (readTime(line, t.start[last + 1], t.end[last + 1], true) || yearToken(line, t.start[last + 1], t.end[last + 1]) >= 0)) return false;
  if (year < 1900 || year > dc.nowYear + 1) return false;
  lsDate.year = year;
  lsDate.month = month;
  lsDate.day = day;
  lsDate.hour = 0;
  lsDate.minute = 0;
  lsDate.second = 0;
  lsDate.ms = 0;
  lsDate.precision = 'day';
  lsDate.first = j;
  lsDate.last = last;
  lsDate.nameRule = 0;
  return true;
}

/**
 * All-numeric dates: `2024-11-22 12:01[:33[.fraction] +zone]`, `24-04-2003 17:12`, `1999/10/12`,
 * `2004.07.15` (no time: day precision, padding before the name dropped), `09-26 2000`, `09-26 13:45`,
 * Finnish `28.11. 09:05`, `01-jun-99`. Returns false when token j is not one of these.
 */
function numericFirst(t: Tokens, j: number, dc: DateContext): boolean {
  const line = t.line;
  const s = t.start[j];
  const e = t.end[j];
  // Up to three fields of digits separated by one of - / . (the same one), or a month name in the middle.
  let i = s;
  while (i < e && isDigit(line.charCodeAt(i))) i++;
  const la = i - s;
  if (la === 0 || la > 4 || i >= e) return false;
  const sep = line.charCodeAt(i);
  if (sep !== 45 && sep !== 47 && sep !== 46) return false;
  const a = digitsValue(line, s, i);
  const bStart = ++i;
  while (i < e && isDigit(line.charCodeAt(i))) i++;
  const lb = i - bStart;
  let b: number;
  let c = -1;
  let lc = 0;
  let monthWord = -1;
  if (lb === 0) {
    // 01-jun-99, 01-jun
    while (i < e && line.charCodeAt(i) !== sep) i++;
    if (sep !== 45) return false;
    monthWord = monthName(line, bStart, i);
    if (monthWord < 0) return false;
    b = monthWord + 1;
  } else {
    b = digitsValue(line, bStart, i);
  }
  if (i < e) {
    if (line.charCodeAt(i) !== sep) return false;
    const cStart = ++i;
    while (i < e && isDigit(line.charCodeAt(i))) i++;
    lc = i - cStart;
    if (i !== e) return false;
    if (lc === 0) {
      // Finnish 28.11. : day.month. with a trailing dot
      if (sep !== 46 || la > 2 || lb > 2 || monthWord >= 0) return false;
      return shortNumeric(t, j, b - 1, a);
    }
    c = digitsValue(line, cStart, i);
  }
  if (lc === 0) {
    // Two fields: MM-DD (or DD-MM when the first cannot be a month; DD-Mon); a time or a year must follow.
    if (monthWord >= 0) return la <= 2 && shortNumeric(t, j, monthWord, a);
    if (sep === 46 || la > 2 || lb > 2) return false;
    const dayIsFirst = a > 12 && b <= 12;
    return shortNumeric(t, j, (dayIsFirst ? b : a) - 1, dayIsFirst ? a : b);
  }
  let date;
  if (monthWord >= 0) {
    if (la > 2 || !(lc === 2 || lc === 4)) return false;
    date = { year: expandYear(c, lc), month: monthWord, day: a };
  } else {
    date = numericDate(dc, a, la, b, lb, c, lc, sep === 46, false);
    if (!date) return false;
  }
  lsDate.year = date.year;
  lsDate.month = date.month;
  lsDate.day = date.day;
  lsDate.first = j;
  lsDate.last = j;
  lsDate.zone = undefined;
  if (j + 1 < t.count && readTime(line, t.start[j + 1], t.end[j + 1], false)) {
    lsDate.last = j + 1;
    lsDate.nameRule = 0;
    // ls --time-style=full-iso: 2024-11-22 12:01:33.500000000 +0100
    const dot = line.indexOf('.', t.start[j + 1]);
    const fraction = dot >= 0 && dot < t.end[j + 1];
    if (fraction && j + 2 < t.count && t.length(j + 2) === 5) {
      const zs = t.start[j + 2];
      const sign = line.charCodeAt(zs);
      const hh = digitsValue(line, zs + 1, zs + 3);
      const mm = digitsValue(line, zs + 3, zs + 5);
      if ((sign === 43 || sign === 45) && hh >= 0 && mm >= 0) {
        lsDate.zone = (sign === 45 ? -1 : 1) * (hh * 60 + mm);
        lsDate.last = j + 2;
      }
    }
  } else {
    // A time that does not read (`9:5`, `12:61:`) is not the start of the name.
    if (j + 1 < t.count && /^\d{1,2}[:.]\d/.test(line.slice(t.start[j + 1], Math.min(t.end[j + 1], t.start[j + 1] + 4)))) return false;
    lsDate.hour = 0;
    lsDate.minute = 0;
    lsDate.second = 0;
    lsDate.ms = 0;
    lsDate.precision = 'day';
    lsDate.nameRule = 1;
  }
  return true;
}

/** Month/day already known (no year): a time or a year must follow in token j + 1. */
function shortNumeric(t: Tokens, j: number, month: number, day: number): boolean {
  if (!timeOrYear(t, j + 1, false)) return false;
  lsDate.month = month;
  lsDate.day = day;
  lsDate.first = j;
  lsDate.last = j + 1;
  lsDate.zone = undefined;
  lsDate.nameRule = lsDate.year >= 0 ? 1 : 0;
  return true;
}

/** Tries every date shape at token j; fills lsDate. Values are not validated here (localDate does that). */
function readDate(t: Tokens, j: number, dc: DateContext): boolean {
  const line = t.line;
  const s = t.start[j];
  const e = t.end[j];
  lsDate.zone = undefined;
  const c0 = line.charCodeAt(s);
  if (!isDigit(c0)) {
    if (j + 2 >= t.count) return false;
    // A month name is followed by a day: skip the lookup when the next token does not start with a digit.
    if (!isDigit(line.charCodeAt(t.start[j + 1]))) return false;
    const m = monthName(line, s, e);
    return m >= 0 && monthFirst(t, j, m, true);
  }
  const len = e - s;
  const last = line.charCodeAt(e - 1);
  if (len <= 3 && (isDigit(last) || last === 46 || last === 44 || last === DAY_CJK || last === DAY_KO)) {
    // A day: 22 Nov, 26. Juli, 5 Thg 3, 5. 3.
    const day = dayToken(line, s, e);
    if (day >= 0) return dayFirst(t, j, day, lsDay.dot);
  }
  const m = cjkMonth(line, s, e);
  if (m >= 0) {
    if (lsCjk.day >= 0) return shortCjk(t, j, m - 1, lsCjk.day);
    if (j + 2 >= t.count) return false;
    const day = dayToken(line, t.start[j + 1], t.end[j + 1]);
    if (day < 0 || !timeOrYear(t, j + 2, false)) return false;
    lsDate.month = m - 1;
    lsDate.day = day;
    lsDate.first = j;
    lsDate.last = j + 2;
    lsDate.nameRule = 0;
    return true;
  }
  const year = yearToken(line, s, e);
  if (year >= 0) return yearFirst(t, j, year, dc);
  if (readTime(line, s, e, false)) return timeFirst(t, j);
  return numericFirst(t, j, dc);
}

/** `11月28日 09:05`: month and day in one token, then a time or a year. */
function shortCjk(t: Tokens, j: number, month: number, day: number): boolean {
  if (!timeOrYear(t, j + 1, false)) return false;
  lsDate.month = month;
  lsDate.day = day;
  lsDate.first = j;
  lsDate.last = j + 1;
  lsDate.nameRule = 0;
  return true;
}

/** Vietnamese recent dates put the time first: `09:05 28 Thg 11`. */
function timeFirst(t: Tokens, j: number): boolean {
  if (j + 3 >= t.count || t.length(j + 2) !== 3 || t.text(j + 2).toLowerCase() !== 'thg') return false;
  const day = t.digits(j + 1);
  const month = t.digits(j + 3);
  if (day < 1 || day > 31 || month < 1 || month > 12) return false;
  lsDate.year = -1;
  lsDate.month = month - 1;
  lsDate.day = day;
  lsDate.first = j;
  lsDate.last = j + 3;
  lsDate.nameRule = 2; // the month is padded to two digits: `17:09 23 Thg 8  name`
  return true;
}

const SIZE_UNITS = 'KMGTP';

/**
 * The size column just before token j: bytes, a device's `major, minor` (`8, 0` or `109,767`), or a
 * human size (`33.5k`, `2KB`, `1.2M`, approximate). With `glued`, also a group glued to the size
 * (`longgroup123456`). Fills lsSize.
 */
function sizeBefore(t: Tokens, j: number, glued: boolean): boolean {
  const k = j - 1;
  const line = t.line;
  const s = t.start[k];
  const e = t.end[k];
  lsSize.index = k;
  lsSize.size = -1;
  lsSize.approximate = false;
  lsSize.major = -1;
  lsSize.minor = -1;
  lsSize.gluedAt = -1;
  const v = digitsValue(line, s, e);
  if (v >= 0) {
    // `8, 0`: the major number is the token before, with its comma.
    if (k >= 1 && line.charCodeAt(t.end[k - 1] - 1) === 44) {
      const major = digitsValue(line, t.start[k - 1], t.end[k - 1] - 1);
      if (major >= 0) {
        lsSize.index = k - 1;
        lsSize.major = major;
        lsSize.minor = v;
        return true;
      }
    }
    lsSize.size = v;
    return true;
  }
  const c0 = line.charCodeAt(s);
  if (isDigit(c0)) {
    const comma = line.indexOf(',', s);
    if (comma > s && comma < e - 1) {
      const major = digitsValue(line, s, comma);
      const minor = digitsValue(line, comma + 1, e);
      if (major >= 0 && minor >= 0) {
        lsSize.major = major;
        lsSize.minor = minor;
        return true;
      }
      return false;
    }
    // Human size: 33.5k, 2KB, 1.2M, 512B
    let i = s;
    while (i < e && isDigit(line.charCodeAt(i))) i++;
    let value = digitsValue(line, s, i);
    if (line.charCodeAt(i) === 46) {
      const fs = ++i;
      while (i < e && isDigit(line.charCodeAt(i))) i++;
      if (i === fs) return false;
      value += digitsValue(line, fs, i) / 10 ** (i - fs);
    }
    const fractional = value !== Math.floor(value);
    if (i >= e) return false;
    const unit = SIZE_UNITS.indexOf(String.fromCharCode(line.charCodeAt(i) & ~32));
    if (unit >= 0) i++;
    let bytes = false;
    if (i < e && (line.charCodeAt(i) | 32) === 98) {
      i++; // B
      bytes = true;
    }
    if (i !== e || (unit < 0 && (!bytes || fractional))) return false;
    lsSize.size = Math.round(value * 1024 ** (unit + 1));
    lsSize.approximate = unit >= 0;
    return true;
  }
  if (!glued) return false;
  // longgroup123456: the trailing digits are the size.
  let i = e;
  while (i > s && isDigit(line.charCodeAt(i - 1))) i--;
  if (i === e || i - s < 2 || e - i > 15) return false;
  const before = line.charCodeAt(i - 1) | 32;
  if (before < 97 || before > 122) return false; // a group name ends with a letter
  lsSize.size = digitsValue(line, i, e);
  lsSize.gluedAt = i;
  return true;
}

/**
 * Finds the leftmost `size date` run among the first t.count tokens (from token `from`), first with a
 * clean size column, then allowing a group glued to the size. Returns the date's first token or -1.
 */
export function findSizeAndDate(t: Tokens, from: number, dc: DateContext): number {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = from + 1; j < t.count; j++) {
      if (!sizeBefore(t, j, pass === 1)) continue;
      if (readDate(t, j, dc)) return j;
    }
  }
  return -1;
}

/** Unix permission bits (0o7777) of a 9-character `rwxr-sr-t` string. */
export function modeFromPermissions(p: string): number {
  let mode = 0;
  for (let i = 0; i < 3; i++) {
    const shift = (2 - i) * 3;
    if (p.charCodeAt(i * 3) === 114) mode |= 4 << shift; // r
    if (p.charCodeAt(i * 3 + 1) === 119) mode |= 2 << shift; // w
    const x = p.charCodeAt(i * 3 + 2);
    if (x === 120 || x === 115 || x === 116) mode |= 1 << shift; // x s t
    // s S t T set the special bit of their triple; l L (Solaris mandatory locking) only in the group's
    if (x === 115 || x === 83 || x === 116 || x === 84 || (i === 1 && (x === 108 || x === 76))) mode |= i === 0 ? 0o4000 : i === 1 ? 0o2000 : 0o1000;
  }
  return mode;
}

/** modeFromPermissions, remembered for the last permission string (the same string object line after line). */
let lastPermissions = '';
let lastBits = 0;
export function permissionBits(p: string): number {
  if (p !== lastPermissions) {
    lastBits = modeFromPermissions(p);
    lastPermissions = p;
  }
  return lastBits;
}

function typeOf(c: number): EntryType {
  if (c === 45 || c === 102) return 'file'; // - f
  if (c === 100) return 'directory'; // d
  if (c === 108 || c === 101) return 'symlink'; // l, e (z/OS external link)
  return 'unknown'; // b c p s D: devices, fifos, sockets, doors
}

/** The type letters of a mode string. */
export function isTypeChar(c: number): boolean {
  // - f d l e b c p s D
  return c === 45 || c === 102 || c === 100 || c === 108 || c === 101 || c === 98 || c === 99 || c === 112 || c === 115 || c === 68;
}

function permChar(c: number, pos: number): boolean {
  if (c === 45 || c === 63) return true; // - ?
  if (pos === 0) return c === 114; // r
  if (pos === 1) return c === 119; // w
  // x s S t T l L
  return c === 120 || c === 115 || c === 83 || c === 116 || c === 84 || c === 108 || c === 76;
}

/** Where the mode string is: set by modeAt. */
const mode = { start: 0, permsEnd: 0, rest: 0, short: false };

/**
 * Is there a mode string at i (`drwxr-xr-x`, with a `+`/`.`/`@` marker, or only 8 permission
 * characters followed by a blank)? Sets `mode`. The rest must start with a blank, a digit (a link
 * count glued to the marker) or end the line.
 */
function modeAt(line: string, i: number, end: number): boolean {
  if (!isTypeChar(line.charCodeAt(i))) return false;
  let k = 0;
  for (; k < 9 && i + 1 + k < end; k++) if (!permChar(line.charCodeAt(i + 1 + k), k % 3)) break;
  if (k === 9) {
    let r = i + 10;
    const m = r < end ? line.charCodeAt(r) : 0;
    if (m === 43 || m === 46 || m === 64) r++; // + . @
    if (r < end) {
      const c = line.charCodeAt(r);
      if (!isBlank(c) && !isDigit(c)) return false;
    }
    mode.start = i;
    mode.permsEnd = i + 10;
    mode.rest = r;
    mode.short = false;
    return true;
  }
  if (k === 8 && i + 9 < end && isBlank(line.charCodeAt(i + 9))) {
    mode.start = i;
    mode.permsEnd = i + 9;
    mode.rest = i + 9;
    mode.short = true;
    return true;
  }
  return false;
}

/** Finds a mode string at the start of line[start, end), after blanks and at most two `ls -s` / `ls -i` numbers. */
function findMode(line: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && isBlank(line.charCodeAt(i))) i++;
  for (let numbers = 0; numbers <= 2; numbers++) {
    if (i < end && modeAt(line, i, end)) return true;
    if (!isDigit(line.charCodeAt(i))) return false;
    while (i < end && isDigit(line.charCodeAt(i))) i++;
    if (i >= end || !isBlank(line.charCodeAt(i))) return false;
    while (i < end && isBlank(line.charCodeAt(i))) i++;
  }
  return false;
}

/** Connect:Enterprise (Sterling Commerce): `-C--E-----FTP B QUA1I1      18128       41 Aug 12 13:56 QUADTEST`. */
function enterpriseAt(line: string, start: number, end: number): number {
  let i = start;
  while (i < end && isBlank(line.charCodeAt(i))) i++;
  if (i + 14 > end) return -1;
  for (let k = 0; k < 10; k++) {
    const c = line.charCodeAt(i + k);
    if (!(c === 45 || (c >= 65 && c <= 90) || (k === 0 && c === 100))) return -1;
  }
  return line.startsWith('FTP', i + 10) && isBlank(line.charCodeAt(i + 13)) ? i : -1;
}

/** True when the line starts like an `ls -l` line: a mode string (or Connect:Enterprise's). */
export function looksLikeLs(line: string): boolean {
  return findMode(line, 0, line.length) || enterpriseAt(line, 0, line.length) >= 0;
}

/** Link count, owner and group from tokens [from, upto) (the text between the permissions and the size), into `og`. */
function ownerGroup(t: Tokens, from: number, upto: number, isDirectory: boolean): void {
  og.owner = undefined;
  og.group = undefined;
  let k = from;
  const count = upto - from;
  if (count <= 0) return;
  if (count === 2 && lsSize.size >= 0 && !lsSize.approximate) {
    // NetPresenz / MacOS Peter: data fork, resource fork, total: no owner or group at all.
    const a = t.digits(from);
    const b = t.digits(from + 1);
    if (a >= 0 && b >= 0 && a + b === lsSize.size) return;
  }
  if (t.digits(k) >= 0) {
    // A leading number followed by more columns is the link count; alone, a number is the link count too.
    if (count === 1) return;
    k++;
  } else if (count === 3 && t.length(k) === 1) {
    // Connect:Enterprise: a protocol letter before owner and group
    const c = t.line.charCodeAt(t.start[k]);
    if (c >= 65 && c <= 90) k++;
  }
  const line = t.line;
  if (k === upto - 1) {
    if (isDirectory && count === 1 && t.is(k, 'folder')) return; // NetPresenz folders
    og.owner = OWNERS.take(line, t.start[k], t.end[k]);
    return;
  }
  // Columns are usually padded: a run of 2+ blanks separates owner from group even when either has spaces.
  for (let g = k; g < upto - 1; g++) {
    if (t.start[g + 1] - t.end[g] >= 2) {
      og.owner = OWNERS.take(line, t.start[k], t.end[g]);
      og.group = OWNERS.take(line, t.start[g + 1], t.end[upto - 1]);
      return;
    }
  }
  og.owner = OWNERS.take(line, t.start[k], t.end[k]);
  og.group = OWNERS.take(line, t.start[k + 1], t.end[upto - 1]);
}

/** Could the text after the size be a date that failed to read (rather than a name)? Then a dateless reading is refused. */
function dateLikeAt(t: Tokens, j: number): boolean {
  const line = t.line;
  for (let k = j; k < t.count && k < j + 3; k++) {
    const s = t.start[k];
    const e = t.end[k];
    if (readTime(line, s, e, true) || yearToken(line, s, e) >= 0 || monthName(line, s, e) >= 0 || cjkMonth(line, s, e) >= 0) return true;
    if (/^\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{0,4})?$/.test(line.slice(s, e))) return true;
  }
  return false;
}

/**
 * `drwxr-xr-x 3 user group 512 name` (no date at all): link count, owner, group, size, then the name.
 * Only that exact column set, and only when nothing after the size looks like a date. Returns the
 * size's token index or -1.
 */
function datelessAt(t: Tokens): number {
  const sizeIndex = 3;
  if (t.count < 5 || t.digits(0) < 0) return -1;
  if (!sizeBefore(t, sizeIndex + 1, false) || lsSize.major >= 0) return -1;
  if (dateLikeAt(t, sizeIndex + 1)) return -1;
  return sizeIndex;
}

/** Parses one `ls -l` style line (parseUnixLine in index.ts adds NetWare). Never throws. */
export function unixLine(line: string, dc: DateContext): LineParseResult {
  const r = lsLine(line, dc);
  if (r) return r;
  let i = 0;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  if (i < line.length && !isTypeChar(line.charCodeAt(i))) return { error: 'not a Unix listing line' };
  return { error: 'no valid Unix permissions at the start of the line' };
}

/** An `ls -l` line's entry or why it can't be read; undefined when the line has no mode string at all. */
export function lsLine(line: string, dc: DateContext): LineParseResult | undefined {
  const r = lsEntry(line, dc);
  return r === undefined ? undefined : typeof r === 'string' ? { error: r } : { entry: r };
}

/** A link's target cut off its name by entryName (exported below, with lsDate and lsSize). */
const lsName = { target: undefined as string | undefined };

/** The name part of an `ls -l` line: a link's ` -> target` cut off (into lsName.target), a folder's `ls -F` slash dropped. */
export function entryName(text: string, type: EntryType): string {
  lsName.target = undefined;
  if (type === 'symlink') {
    const arrow = text.indexOf(' -> ');
    if (arrow > 0) {
      lsName.target = text.slice(arrow + 4);
      return text.slice(0, arrow);
    }
  } else if (type === 'directory' && text.length > 1 && text.charCodeAt(text.length - 1) === 47) {
    return text.slice(0, -1); // ls -F style marker
  }
  return text;
}

/** Owner and group found by ownerGroup. */
const og = { owner: undefined as string | undefined, group: undefined as string | undefined };

/** Tokens read at first: enough for link count, owner, group, size, a date and some name; a longer run is split again. */
const FIRST_TOKENS = 16;

/**
 * The `ls -l` hot path: the entry, why the line can't be read (a string), or undefined when it has no
 * mode string. Nothing is allocated but the entry, its Date and its strings (owner, group and
 * permission strings are shared with earlier lines when equal).
 */
export function lsEntry(line: string, dc: DateContext, start = 0, end = line.length): FileEntry | string | undefined {
  let permissions: string;
  let typeChar: number;
  let rest: number;
  let unixMode = true;
  if (findMode(line, start, end)) {
    typeChar = line.charCodeAt(mode.start);
    permissions = mode.short ? line.slice(mode.start + 1, mode.permsEnd) + '-' : PERMISSIONS.take(line, mode.start + 1, mode.permsEnd);
    rest = mode.rest;
  } else {
    const at = enterpriseAt(line, start, end);
    if (at < 0) return undefined;
    typeChar = line.charCodeAt(at) === 100 ? 100 : 45;
    permissions = line.slice(at, at + 13);
    rest = at + 13;
    unixMode = false;
  }
  const t = TOKENS;
  t.split(line, rest, FIRST_TOKENS, end);
  let j = findSizeAndDate(t, 0, dc);
  if (j < 0 && t.count === FIRST_TOKENS) {
    t.split(line, rest, t.max, end);
    j = findSizeAndDate(t, 0, dc);
  }
  const type = typeOf(typeChar);
  let modified: number | undefined;
  let nameStart: number;
  if (j >= 0) {
    modified = localDate(dc, lsDate.year, lsDate.month, lsDate.day, lsDate.hour, lsDate.minute, lsDate.second, lsDate.ms, lsDate.zone);
    if (modified === undefined) return `invalid date '${line.slice(t.start[lsDate.first], t.end[lsDate.last])}'`;
    nameStart = t.end[lsDate.last];
    if (nameStart >= end) return 'no name after the date';
    nameStart++;
    if (lsDate.nameRule === 1) {
      while (nameStart < end && isBlank(line.charCodeAt(nameStart))) nameStart++;
    } else if (lsDate.nameRule === 2 && nameStart + 1 < end && isBlank(line.charCodeAt(nameStart))) {
      nameStart++;
    }
  } else {
    if (t.count === FIRST_TOKENS) t.split(line, rest, t.max, end);
    j = datelessAt(t);
    if (j < 0) return 'no size and date found in the Unix listing line';
    nameStart = t.end[j] + 1;
  }
  const rawName = line.slice(nameStart, end);
  if (rawName === '') return 'no name after the date';
  const name = entryName(rawName, type);
  const linkTarget = lsName.target;
  ownerGroup(t, 0, lsSize.index, type === 'directory');
  if (lsSize.gluedAt >= 0) {
    // the glued token's text is the last owner/group column
    const glued = line.slice(t.start[lsSize.index], lsSize.gluedAt);
    if (og.owner === undefined) og.owner = glued;
    else if (og.group === undefined) og.group = glued;
    else og.group += ' ' + glued;
  }
  const size = lsSize.size;
  let entry: FileEntry;
  if (size >= 0 && modified !== undefined && unixMode && og.owner !== undefined && og.group !== undefined && !lsSize.approximate) {
    // The common shape, in one literal.
    entry = { name, type, size, modified, modifiedPrecision: lsDate.precision, permissions, mode: permissionBits(permissions), owner: og.owner, group: og.group };
  } else {
    entry = newEntry(name, type);
    if (size >= 0) entry.size = size;
    if (lsSize.approximate) entry.sizeApproximate = true;
    if (modified !== undefined) {
      entry.modified = modified;
      entry.modifiedPrecision = lsDate.precision;
    }
    entry.permissions = permissions;
    if (unixMode) entry.mode = permissionBits(permissions);
    if (og.owner !== undefined) entry.owner = og.owner;
    if (og.group !== undefined) entry.group = og.group;
  }
  if (linkTarget !== undefined) entry.linkTarget = linkTarget;
  if (lsSize.major >= 0) entry.device = { major: lsSize.major, minor: lsSize.minor };
  return entry;
}
