/**
 * Whitespace-separated tokens of one line, as start/end offsets in reusable typed arrays: reading a
 * line allocates nothing until a field is taken out of it. Each parser family owns one Tokens and
 * reads one line at a time with it (parsing is synchronous, so nothing else can touch it meanwhile).
 */

/** Space, tab, or a no-break space (cs_CZ `ls` puts U+00A0 between day and month): the separators of listing columns. */
export function isBlank(c: number): boolean {
  return c === 32 || (c < 32 ? c === 9 : c >= 0xa0 && (c === 0xa0 || c === 0x202f || c === 0x2007));
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export class Tokens {
  readonly start: Int32Array;
  readonly end: Int32Array;
  count = 0;
  line = '';

  constructor(readonly max = 64) {
    this.start = new Int32Array(max);
    this.end = new Int32Array(max);
  }

  /** Splits line[from, end) into at most `limit` tokens (the rest of a longer line is not tokenized); returns the count. */
  split(line: string, from = 0, limit = this.max, end = line.length): number {
    this.line = line;
    const len = end;
    const max = Math.min(limit, this.max);
    let n = 0;
    let i = from;
    while (n < max) {
      while (i < len && isBlank(line.charCodeAt(i))) i++;
      if (i >= len) break;
      this.start[n] = i;
      while (i < len && !isBlank(line.charCodeAt(i))) i++;
      this.end[n++] = i;
    }
    this.count = n;
    return n;
  }

  text(i: number): string {
    return this.line.slice(this.start[i], this.end[i]);
  }

  length(i: number): number {
    return this.end[i] - this.start[i];
  }

  /** The token as a non-negative integer when it is all digits (at most 15 of them), else -1. */
  digits(i: number): number {
    return digitsValue(this.line, this.start[i], this.end[i]);
  }

  /** True when token i is exactly `word` (case-sensitive). */
  is(i: number, word: string): boolean {
    return this.end[i] - this.start[i] === word.length && this.line.startsWith(word, this.start[i]);
  }
}

/** line[s, e) as a non-negative integer when it is 1 to 15 digits, else -1. */
export function digitsValue(line: string, s: number, e: number): number {
  if (e <= s || e - s > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The last few distinct strings taken out of lines (owners, groups, permission strings repeat on every
 * line of a listing): a field equal to one of them is returned as that same string, so 100,000 entries
 * share a handful of strings instead of holding 100,000 copies.
 */
export class RecentStrings {
  private readonly items: string[] = [];

  constructor(private readonly size = 4) {}

  take(line: string, s: number, e: number): string {
    const len = e - s;
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.length === len && line.startsWith(item, s)) return item;
    }
    const text = line.slice(s, e);
    if (items.length === this.size) items.pop();
    items.unshift(text);
    return text;
  }

  /** The kept string equal to `text`, or `text`, kept from now on. */
  same(text: string): string {
    const items = this.items;
    for (let i = 0; i < items.length; i++) if (items[i] === text) return items[i];
    if (items.length === this.size) items.pop();
    items.unshift(text);
    return text;
  }
}
