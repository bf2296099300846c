/** The YYYYMMDDHHMMSS[.sss] UTC timestamps of MDTM, MFMT and MLSD (RFC 3659 2.3). */
/** Impossible values (month 13, hour 25, Feb 30, a year before 1900) are refused, never rolled over into another date. */
export function parseFtpTime(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // unlike Date.UTC, keeps years 0-99 as they are
  date.setUTCHours(h, mi, s, ms);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined; // Feb 30
  return date;
}

export function formatFtpTime(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}
