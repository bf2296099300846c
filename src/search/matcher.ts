/**
 * What FTP: Find in Files looks for, and where in a file's text it is: text or a regular
 * expression, with or without case, whole words or not; one line at a time (a pattern cannot span
 * lines). A hit on a long line keeps a preview around the match, so a minified file costs a line of
 * results, not a megabyte. No `vscode` import: unit-tested on its own.
 */

export interface Query {
  pattern: string;
  isRegex?: boolean;
  matchCase?: boolean;
  wholeWord?: boolean;
}

/** One line with at least one match. Lines and columns count from 0, in UTF-16 code units as VS Code does. */
export interface LineMatch {
  line: number;
  /** The first match on the line, for opening the file at it. */
  column: number;
  endColumn: number;
  /** The line as shown in the results: whole, or a window around the first match with `…` at the cut ends. */
  preview: string;
  /** Every match on the line, as ranges within `preview`. */
  ranges: Array<[number, number]>;
  /** Matches on the line (also those the preview cuts off). */
  count: number;
}

/** Previews longer than this are cut around the first match. */
export const PREVIEW_MAX = 250;
const PREVIEW_BEFORE = 40;

/** The query as a global regular expression; throws a SyntaxError with the reason for a bad regex. */
export function compileQuery(q: Query): RegExp {
  if (q.pattern === '') throw new SyntaxError('The search text is empty.');
  const source = q.isRegex ? q.pattern : q.pattern.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const flags = q.matchCase ? 'g' : 'gi';
  if (q.wholeWord) {
    // Letters, digits and _ of any script end a word, as VS Code's whole-word search reads them.
    try {
      return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${source})(?![\\p{L}\\p{N}_])`, flags + 'u');
    } catch {
      return new RegExp(`\\b(?:${source})\\b`, flags);
    }
  }
  try {
    return new RegExp(source, flags + 'u');
  } catch {
    return new RegExp(source, flags);
  }
}

/** Splits text into lines as the editor does (CRLF, LF or a lone CR end a line). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The matches of `re` (global) in each line of `text`, at most `limit` lines. */
export function findMatches(text: string, re: RegExp, limit = Infinity): LineMatch[] {
  const found: LineMatch[] = [];
  const lines = splitLines(text);
  for (let n = 0; n < lines.length && found.length < limit; n++) {
    const line = lines[n];
    const spans: Array<[number, number]> = [];
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (m[0].length === 0) {
        // An empty match (`^`, `x*`) marks a place, not text: step on, or it would match forever.
        re.lastIndex++;
        if (re.lastIndex > line.length) break;
        continue;
      }
      spans.push([m.index, m.index + m[0].length]);
      if (spans.length >= 1000) break;
    }
    if (spans.length) found.push(preview(n, line, spans));
  }
  return found;
}

/**
 * Characters that would end or reorder a line of the results (U+2028/2029, NEL; bidi overrides and
 * isolates): each shown as one visible character, so the ranges stay where they are.
 */
const UNSAFE_IN_PREVIEW = /[\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function preview(line: number, raw: string, spans: Array<[number, number]>): LineMatch {
  const text = raw.replace(UNSAFE_IN_PREVIEW, '\ufffd');
  const [column, endColumn] = spans[0];
  if (text.length <= PREVIEW_MAX) return { line, column, endColumn, preview: text, ranges: spans, count: spans.length };
  const start = Math.max(0, Math.min(column - PREVIEW_BEFORE, text.length - PREVIEW_MAX));
  const end = Math.min(text.length, start + PREVIEW_MAX);
  const head = start > 0 ? '…' : '';
  const shown = head + text.slice(start, end) + (end < text.length ? '…' : '');
  const ranges = spans
    .filter(([s, e]) => s >= start && e <= end)
    .map(([s, e]) => [s - start + head.length, e - start + head.length] as [number, number]);
  return { line, column, endColumn, preview: shown, ranges, count: spans.length };
}
