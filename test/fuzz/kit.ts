/**
 * Shared pieces of the property-based fuzz tests (fast-check): how many cases each property runs,
 * the runner that reports cases and seconds per target, and the generators that several targets use
 * (hostile characters, listing-like token soup, mutations of valid input, split points).
 *
 * FTPWS_FUZZ_RUNS sets the cases per property (default 300: the short run of `npm test`);
 * `npm run fuzz` runs 100,000. FTPWS_FUZZ_SEED replays a failing run (fast-check prints the seed
 * and the path of the counterexample with every failure).
 */
import { test } from 'node:test';
import fc from 'fast-check';

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, not ${JSON.stringify(raw)}`);
  return n;
}

/** Cases per property. */
export const RUNS = Math.max(1, envInt('FTPWS_FUZZ_RUNS') ?? 300);
const SEED = envInt('FTPWS_FUZZ_SEED');

/**
 * FTPWS_FUZZ_PENDING=1 adds the checks that src/ fails today (each names the bug it waits for, see
 * docs/reliability.md, "Fuzzing"). Once the bug is fixed, the check loses its `PENDING &&` and
 * becomes a regression test like the others.
 */
export const PENDING = process.env.FTPWS_FUZZ_PENDING === '1';

/** fast-check's rendering of a value with every non-ASCII character escaped (U+2028 and bidi marks look like nothing). */
export function escaped(value: unknown): string {
  return fc.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Registers one fuzz target as a test: runs `property` RUNS times (or `runs`, for targets whose
 * cases are expensive, as a share of RUNS), then reports "N cases in S s". A failure throws
 * fast-check's report: the shrunk counterexample, the seed and the path to replay it.
 */
export function fuzz<Ts>(name: string, property: fc.IRawProperty<Ts, false>, options: { share?: number } = {}): void {
  test(name, (t) => {
    const numRuns = Math.max(1, Math.round(RUNS * (options.share ?? 1)));
    const started = process.hrtime.bigint();
    const details = fc.check(property, { numRuns, seed: SEED, endOnFailure: false });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (details.failed) {
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      throw new Error(`${fc.defaultReportMessage(details)}\nEscaped: ${escaped(details.counterexample)}\nThe counterexample failed with: ${cause}`);
    }
    t.diagnostic(`fuzz: ${details.numRuns} cases in ${seconds.toFixed(2)} s`);
  });
}

// ---------------------------------------------------------------------------------------------------
// Characters and strings

/** Characters parsers and names must survive: separators, controls, line ends, bidi, surrogate halves, wide and combining. */
export const HOSTILE_CHARS = [
  '\0', '\r', '\n', '\t', '\v', '\f', '\x1b', '\x7f', '\x85', '\x9b', '\xa0',
  '/', '\\', '.', ' ', ';', '=', ',', '"', '[', ']', '<', '>', '+', '-', ':', '|', '(', ')',
  '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069',
  '\u2028', '\u2029', '\ufeff', '\ufffd', '\u3000', '\ud800', '\udfff', '😀', 'é', 'e\u0301', '月', '日', '年', '월', '일', '년',
];

export const hostileChar = fc.constantFrom(...HOSTILE_CHARS);

/** Any UTF-16 code unit, lone surrogates included. */
export const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Strings from every corner: full Unicode, raw code units, hostile characters, mixtures. */
export function anyString(maxLength = 80): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'binary-ascii', maxLength }),
    fc.string({ unit: codeUnit, maxLength }),
    fc.string({ unit: fc.oneof(hostileChar, fc.constantFrom('a', 'b', '1', '0')), maxLength }),
  );
}

/**
 * Joins pieces with separators that listings use (one space, column padding, tabs, nothing), so
 * tokens land in column positions parsers look at.
 */
export function soup(pieces: fc.Arbitrary<string>, maxPieces = 14): fc.Arbitrary<string> {
  const sep = fc.constantFrom(' ', ' ', ' ', '  ', '   ', '\t', '');
  return fc.array(fc.tuple(pieces, sep), { maxLength: maxPieces }).map((parts) => parts.map(([p, s]) => p + s).join(''));
}

/** A long line made of one piece repeated: the input regular expressions are slowest on. */
export function longRepeat(pieces: fc.Arbitrary<string>, maxRepeats = 3000): fc.Arbitrary<string> {
  return fc.tuple(fc.string({ unit: fc.oneof(pieces, hostileChar), minLength: 1, maxLength: 4 }), fc.integer({ min: 100, max: maxRepeats }), fc.string({ maxLength: 10 }))
    .map(([piece, n, tail]) => piece.repeat(n) + tail);
}

/**
 * Small edits of a valid input: characters inserted, deleted or replaced at generated positions.
 * Inputs that are almost right reach the parsers' deepest branches.
 */
export function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.oneof(hostileChar, fc.string({ unit: 'binary', maxLength: 3 }), fc.constantFrom('', '0', '9', ' ', '  ')));
  return fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([s, edits]) => {
    for (const [at, remove, insert] of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      s = s.slice(0, i) + insert + s.slice(i + remove);
    }
    return s;
  });
}

/** Cuts `bytes` at generated positions (possibly none, possibly every byte). */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].filter((c) => c > 0).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

export const cuts = fc.array(fc.nat(), { maxLength: 24 });

// ---------------------------------------------------------------------------------------------------
// Names

/**
 * The safety rule for a listed name, written here independently of src/ftp/listing/names.ts:
 * non-empty, not `.` or `..`, no `/` or `\`, no C0 or C1 control (NUL, CR, LF, ESC, DEL, ...), no bidi
 * embedding, override or isolate (U+202A-U+202E, U+2066-U+2069).
 */
export function isSafeName(name: string): boolean {
  if (name === '' || name === '.' || name === '..') return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (ch === '/' || ch === '\\') return false;
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return false;
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return false;
  }
  return true;
}

/** Names a listing may carry: safe ones, printable or not, with spaces, dots, arrows, brackets and any script. */
export const safeName: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '9', ' ', '.', '-', '_', '=', ';', '[', ']', '+', ',', '~', '#', '😀', 'é', '月', '\u200f', '\u2028', '\ufeff', '\xa0'), minLength: 1, maxLength: 24 }),
  fc.constantFrom('.htaccess', '...', 'a b', ' leading', 'trailing ', 'x -> y', 'name [t]', 'total 12', '<DIR>', 'type=file;', 'Nov 22 12:01'),
).filter(isSafeName);

/** False for strings with a lone surrogate (they can't be encoded as they are). */
export function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}
