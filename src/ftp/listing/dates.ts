/**
 * Dates in listings: month names in the languages `ls` and FTP servers print them in, two-digit and
 * three-digit years, the order of all-numeric dates, and the conversion of a server-local date to UTC
 * with the year inferred when the line leaves it out. No Date object is built until the value is known
 * to be valid: the arithmetic is done on day numbers.
 *
 * Year inference (`Nov 22 12:01`, `11-28 09:05`, `8月 17日 20:10`): the date is the latest one that is
 * at most FUTURE_DAYS (7) days after the server's "now" (now + the server's offset), i.e. it lies
 * within the year before now, or a few days ahead. Servers print a time instead of a year for recent
 * files (GNU ls and vsftpd: the last six months); the week ahead covers a server clock that is ahead,
 * a server time zone up to UTC+14 that the client does not know, files stamped slightly in the future,
 * and the new year (a `Dec 31 23:59` seen on Jan 1 is last year, a `Jan 1 00:10` seen on Dec 31 is next
 * year). ProFTPD, Pure-FTPd, pyftpdlib and ftp-srv print future dates without a year too, however far
 * ahead (captured: a file dated 40 days ahead is listed `Jan 10 16:56`); such a date more than a week
 * ahead is read as last year, like FileZilla and Commons Net do: the line cannot tell it from a file of
 * last January that a server printing times for the whole year lists. Where the greeting names one of
 * those servers (ProFTPD, Pure-FTPd, vsftpd, pyftpdlib: each prints the year for every date more than
 * six months old), the date is the one within half a year of now (HALF_YEAR_DAYS ahead at most), so a
 * file stamped in the future keeps its year. Windows servers (SYST
 * `Windows_NT`, IIS in Unix listing style) leave the year out for every date of the server's current
 * year, so with that context the year is the server's current year. A date that exists in no candidate
 * year (Feb 29 of no leap year in reach) is refused.
 */
import { ListingContext } from './entry';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A date printed without a year is the latest such date at most this many days after the server's now. */
const FUTURE_DAYS = 7;
/** Servers whose dates without a year lie within half a year of now, future ones included (see above). */
const HALF_YEAR_SERVERS = /\b(proftpd|pure-ftpd|vsftpd|pyftpdlib)\b/i;
const HALF_YEAR_DAYS = 183;
// Exported by name so that the compiled module reads them as locals, not through `exports`.
export { MINUTE_MS, DAY_MS, FUTURE_DAYS };

/**
 * Month names, one string per month: the abbreviated and full names (nominative and genitive) that
 * glibc's locales give for English, German (DE/AT/CH), French, Spanish, Catalan, Galician, Italian,
 * Portuguese, Dutch, Afrikaans, the Nordic languages, Finnish, Estonian, Latvian, Lithuanian, Czech,
 * Slovak, Polish, Hungarian, Romanian, Slovenian, Croatian, Bosnian, Serbian, Macedonian, Bulgarian,
 * Russian, Ukrainian, Belarusian, Greek, Turkish, Indonesian, Malay, Hebrew, Arabic, Persian and Thai
 * (`locale abmon` / `locale mon`), lower-cased, without trailing dots, plus a few spellings seen from
 * servers (`mrz`, `fevr`, `avr`, `aout`). Croatian uses `lip`, `srp`, `lis` and `listopad(a)` for other months
 * than Polish and Czech do; the Polish/Czech reading is kept.
 */
const MONTH_WORDS: string[] = [
  // January
  'ene enero gen gener gennaio ian ianuarie jaan jaanuar jan janeiro januar januari januarie january január ' +
    'janv janvier janvāris janúar jän jänner led leden ledna oca ocak saus sausio sausis sij siječanj ' +
    'siječnja sty styczeń stycznia tammi tammikuu xan xaneiro ιαν ιανουάριος ιανουαρίου сту студзень студзеня ' +
    'січ січень січня янв январь января яну януари јан јануар јануари ינו ינואר يناير ژانویه ม.ค มกราคม',
  // February
  'feb febbraio febr febreiro febrer febrero februar februari februarie february február februāris febrúar ' +
    'fev fevereiro fevr févr février helmi helmikuu lut lutego luty vas vasario vasaris veebr veebruar velj ' +
    'veljača veljače úno únor února şub şubat φεβ φεβρουάριος φεβρουαρίου лют лютага лютий лютого люты феб ' +
    'фебруар фев февраль февраля февруари פבר פברואר فبراير فوریه ก.พ กุมภาพันธ์',
  // March
  'bře březen března kov kovas kovo maalis maaliskuu maart mac maerz mar marca march marec maret mars mart ' +
    'martie marts marzec marzo març março mrt mrz márc március mär märts märz ožu ožujak ožujka μάρ μάρτιος ' +
    'μαρ μαρτίου бер березень березня мар март марта сак сакавік сакавіка מרץ مارس มี.ค มีนาคม',
  // April
  'abr abril apr april avr aprile aprilie aprill apríl aprīlis avril bal balandis balandžio dub duben dubna ' +
    'huhti huhtikuu kwi kwiecień kwietnia nis nisan tra travanj travnja ápr április απρ απρίλιος απριλίου апр ' +
    'апрель апреля април кві квітень квітня кра красавік красавіка אפר אפריל آوریل أبريل เม.ย เมษายน',
  // May
  'geg gegužė gegužės kvě květen května mag maggio mai maig maijs maio maj maja may mayo mayıs maí mei máj ' +
    'május svi svibanj svibnja touko toukokuu μάι μάιος μαΐ μαΐου май мая мај тра травень травня מאי مايو مه ' +
    'พ.ค พฤษภาคม',
  // June
  'birž birželio birželis cze czerwca czerwiec giu giugno haz haziran iun iunie juin jun june junho juni ' +
    'junie junij junio juny juuni jún június júní jūn jūnijs kesä kesäkuu lipanj lipnja xuñ xuño čen červen ' +
    'června ιουν ιουνίου ιούν ιούνιος июн июнь июня чер червень червня чэр чэрвень чэрвеня юни јун јуни יונ ' +
    'יוני يونيو ژوئن มิ.ย มิถุนายน',
  // July
  'heinä heinäkuu iul iulie juil juillet jul julai julho juli julie julij julio juliol july juuli júl ' +
    'július júlí jūl jūlijs liep liepa liepos lip lipca lipiec lug luglio srpanj srpnja tem temmuz xul xullo ' +
    'čec července červenec ιουλ ιουλίου ιούλ ιούλιος июл июль июля лип липень липня ліп ліпень ліпеня юли јул ' +
    'јули יול יולי يوليو ژوئیه ก.ค กรกฎาคม',
  // August
  'ag ago agost agosto agu agustus aout août aug august augusti augusts augustus augusztus avg avgust ağu ' +
    'ağustos elo elokuu kol kolovoz kolovoza ogos rugp rugpjūtis rugpjūčio sie sierpień sierpnia srp srpen ' +
    'srpna ágú ágúst αυγ αυγούστου αύγ αύγουστος авг август августа жні жнівень жніўня сер серпень серпня אוג ' +
    'אוגוסט أغسطس اوت ส.ค สิงหาคม',
  // September
  'eyl eylül rugs rugsėjis rugsėjo ruj rujan rujna sep sept septembar september septembre septembrie ' +
    'septembris septiembre set setembre setembro settembre syys syyskuu szept szeptember wrz wrzesień ' +
    'września zář září σεπ σεπτέμβριος σεπτεμβρίου вер верасень верасня вересень вересня сен сентябрь ' +
    'сентября сеп септембар септември ספט ספטמבר سبتمبر سپتامبر ก.ย กันยายน',
  // October
  'eki ekim loka lokakuu oct october octobre octombrie octubre okt oktobar oktober oktobris oktoober ' +
    'október ott ottobre out outubro paź październik października spal spalio spalis říj říjen října οκτ ' +
    'οκτωβρίου οκτώβριος жов жовтень жовтня кас кастрычнік кастрычніка окт октобар октомври октябрь октября ' +
    'אוק אוקטובר أكتوبر اكتبر ต.ค ตุลาคม',
  // November
  'kas kasım lapkr lapkritis lapkričio lis listopad listopada listopadu marras marraskuu noiembrie nov ' +
    'novembar november novembre novembris novembro noviembre nóv nóvember stu studeni studenoga νοέ νοέμβριος ' +
    'νοε νοεμβρίου лис листопад листопада ліс лістапад лістапада нов новембар ное ноември ноя ноябрь ноября ' +
    'נוב נובמבר نوامبر نوفمبر พ.ย พฤศจิกายน',
  // December
  'ara aralık dec decembar december decembrie decembris decembro des desember desembre dets detsember dez ' +
    'dezember dezembro dic dicembre diciembre dis disember déc décembre gru grudnia grudzień gruod gruodis ' +
    'gruodžio joulu joulukuu pro prosinac prosinca prosince prosinec δεκ δεκέμβριος δεκεμβρίου гру грудень ' +
    'грудня дек декабрь декабря декември дец децембар сне снежань снежня דצמ דצמבר دسامبر ديسمبر ธ.ค ธันวาคม',
];

const MONTHS = new Map<string, number>();
MONTH_WORDS.forEach((words, month) => {
  for (const word of words.split(' ')) MONTHS.set(word, month);
});

/**
 * Month (0-11) of a month name in any language of the table, case-insensitive, with trailing `.` and
 * `,` ignored (`Okt.`, `Jan.,`, `juil.`) and Catalan's `d’`/`d'` in front (`d’abr.`); -1 when unknown.
 */
export function monthFromName(text: string): number {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 44)) end--;
  let start = 0;
  if (end > 2 && (text.charCodeAt(0) | 32) === 100 && (text.charCodeAt(1) === 0x2019 || text.charCodeAt(1) === 39)) start = 2;
  if (end <= start) return -1;
  const key = start === 0 && end === text.length ? text : text.slice(start, end);
  return MONTHS.get(key.toLowerCase()) ?? -1;
}

const code3 = (s: string): number => (s.charCodeAt(0) << 16) | (s.charCodeAt(1) << 8) | s.charCodeAt(2);
const ENGLISH = new Map<number, number>(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [code3(m), i]),
);

/** English three-letter month at line[s, s + 3), any case, read by char codes (the `ls -l` hot path); -1 otherwise. */
export function englishMonthAt(line: string, s: number): number {
  const a = line.charCodeAt(s) | 32;
  const b = line.charCodeAt(s + 1) | 32;
  const c = line.charCodeAt(s + 2) | 32;
  if (a < 97 || a > 122 || b < 97 || b > 122 || c < 97 || c > 122) return -1;
  return ENGLISH.get((a << 16) | (b << 8) | c) ?? -1;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 1 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (any year; month 0-11). */
export function epochDays(year: number, month: number, day: number): number {
  const y = month <= 1 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shifted = (month + 10) % 12; // March = 0
  const dayOfYear = Math.floor((153 * shifted + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * Milliseconds of a wall-clock time counted as if it were UTC, or NaN when the fields are impossible
 * (month 13, day 36, Feb 29 of a common year, hour 25, minute 60). `24:00` (or `24:00:00`) is the
 * midnight that ends the day, i.e. 00:00 of the next day, as ISO 8601 and some servers write it.
 */
export function wallClockMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  if (!(month >= 0 && month <= 11) || !(day >= 1 && day <= daysInMonth(year, month))) return NaN;
  if (!(minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && hour >= 0 && ms >= 0 && ms <= 999)) return NaN;
  if (hour > 23 && !(hour === 24 && minute === 0 && second === 0 && ms === 0)) return NaN;
  return epochDays(year, month, day) * DAY_MS + hour * 3_600_000 + minute * MINUTE_MS + second * 1000 + ms;
}

/** What the date code needs from a ListingContext, worked out once per listing. */
export interface DateContext {
  /** The server's offset from UTC, in ms. */
  offsetMs: number;
  /** The server's "now" as a wall clock counted as if UTC. */
  nowWallMs: number;
  nowYear: number;
  /** Windows_NT (IIS Unix style): a date without a year is in the server's current year. */
  calendarYear: boolean;
  /** How far after now a date without a year may lie: FUTURE_DAYS, or HALF_YEAR_DAYS for the servers above. */
  aheadMs: number;
  /** now + aheadMs reaches into next year. */
  nextYearInReach: boolean;
  dateOrder?: 'MDY' | 'DMY' | 'YMD';
}

export function dateContext(options: ListingContext): DateContext {
  const offsetMinutes = Number.isFinite(options.serverTimeZoneOffsetMinutes) ? options.serverTimeZoneOffsetMinutes! : 0;
  const offsetMs = offsetMinutes * MINUTE_MS;
  const now = options.now && !Number.isNaN(options.now.getTime()) ? options.now.getTime() : Date.now();
  const nowWallMs = now + offsetMs;
  const nowYear = new Date(nowWallMs).getUTCFullYear();
  const aheadMs = (options.greeting !== undefined && HALF_YEAR_SERVERS.test(options.greeting) ? HALF_YEAR_DAYS : FUTURE_DAYS) * DAY_MS;
  return {
    offsetMs,
    nowWallMs,
    nowYear,
    aheadMs,
    nextYearInReach: nowWallMs + aheadMs >= epochDays(nowYear + 1, 0, 1) * DAY_MS,
    calendarYear: options.system !== undefined && /windows_nt/i.test(options.system),
    dateOrder: options.dateOrder,
  };
}

/**
 * The wall clock (ms, as localDate counts it) of a date printed without a year, in the year the rule
 * gives (see the file comment); NaN when no year fits.
 */
export function inferredWallMs(dc: DateContext, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  if (dc.calendarYear) return wallClockMs(dc.nowYear, month, day, hour, minute, second, ms);
  const limit = dc.nowWallMs + dc.aheadMs;
  // Next year only when its start is within reach (the last days of December).
  const first = dc.nextYearInReach ? dc.nowYear + 1 : dc.nowYear;
  for (let y = first; y >= dc.nowYear - 8; y--) {
    const wall = wallClockMs(y, month, day, hour, minute, second, ms);
    if (wall <= limit) return wall; // NaN compares false
  }
  return NaN;
}

/** The year a date printed without one belongs to (see the file comment); undefined when none fits. */
export function inferYear(dc: DateContext, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  const wall = inferredWallMs(dc, month, day, hour, minute, second, 0);
  return Number.isNaN(wall) ? undefined : new Date(wall).getUTCFullYear();
}

/**
 * UTC milliseconds from server-local fields, or undefined when they are impossible. year < 0: not printed,
 * inferred. zoneMinutes (minutes east of UTC) is a zone printed in the line; it wins over the
 * server offset.
 */
export function localDate(
  dc: DateContext, year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, zoneMinutes?: number,
): number | undefined {
  const wall = year < 0 ? inferredWallMs(dc, month, day, hour, minute, second, ms) : wallClockMs(year, month, day, hour, minute, second, ms);
  if (Number.isNaN(wall)) return undefined;
  return wall - (zoneMinutes === undefined ? dc.offsetMs : zoneMinutes * MINUTE_MS);
}

/** A date and time as the server printed it, in the server's local time unless `zoneMinutes` says otherwise. */
export interface LocalDateTime {
  year?: number;
  /** 0-11 */
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  millisecond?: number;
  /** Explicit zone printed in the line (`--full-iso`), minutes east of UTC; overrides the server offset. */
  zoneMinutes?: number;
}

/**
 * Converts a server-local date to UTC (UTC = local - offset). Without a year, the year is inferred
 * (see the file comment). Returns undefined for impossible dates (Feb 30, 25:00); 24:00 is the next
 * day's midnight.
 */
export function serverTimeToUtc(t: LocalDateTime, options: ListingContext = {}): Date | undefined {
  const ms = localDate(dateContext(options), t.year ?? -1, t.month, t.day, t.hour ?? 0, t.minute ?? 0, t.second ?? 0, t.millisecond ?? 0, t.zoneMinutes);
  return ms === undefined ? undefined : new Date(ms);
}

/** A year printed with 2 digits (70-99: 19xx, 00-69: 20xx, as DOS and IIS mean it) or 3 (OS/2's 103 = 2003). */
export function expandYear(value: number, digits: number): number {
  if (digits === 2) return value < 70 ? 2000 + value : 1900 + value;
  if (digits === 3) return 1900 + value;
  return value;
}

/** Year, month (0-11) and day of an all-numeric date; the fields may still be out of range (checked later). */
export interface NumericDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Reads `a<sep>b<sep>c` (digit counts la, lb, lc). A four-digit first field is a year (Y-M-D). Otherwise
 * the last field is the year and the order of the first two is, in this order of precedence: the
 * context's dateOrder (YMD reads `yy/mm/dd` when all three have two digits); for `strict` families
 * (DOS/IIS, which always print month first) M-D, or D.M with dots; else the only reading the values
 * allow (`24-04-2003` is day first, `04-24-2003` month first), and when both fit, D.M with dots and
 * M-D otherwise.
 */
export function numericDate(
  dc: DateContext, a: number, la: number, b: number, lb: number, c: number, lc: number, dots: boolean, strict: boolean,
): NumericDate | undefined {
  if (la === 4) return lb <= 2 && lc <= 2 ? { year: a, month: b - 1, day: c } : undefined;
  if (la > 2 || lb > 2 || !(lc === 2 || lc === 4 || lc === 3)) return undefined;
  const order = dc.dateOrder;
  if (order === 'YMD' && lc === 2) return { year: expandYear(a, 2), month: b - 1, day: c };
  const year = expandYear(c, lc);
  let dayFirst: boolean;
  if (order === 'DMY') dayFirst = true;
  else if (order === 'MDY') dayFirst = false;
  else if (strict) dayFirst = dots;
  else if (a > 12 && b <= 12) dayFirst = true;
  else if (b > 12 && a <= 12) dayFirst = false;
  else dayFirst = dots;
  return dayFirst ? { year, month: b - 1, day: a } : { year, month: a - 1, day: b };
}
