/**
 * A name from a listing is data, never a path. Whatever the server sends, an entry's name must be
 * one path segment that can be shown safely: no separator (`/`, `\`), no NUL or other control
 * character, no bidi override that could disguise an extension, not `.` or `..`. Lines whose name
 * fails are reported as unparsed, never turned into entries.
 */
import { FileEntry, ListingResult } from './entry';

// C0 controls, DEL and C1 controls; the bidi embeddings, overrides and isolates (U+202A-U+202E,
// U+2066-U+2069) that make "gpj.exe" look like "exe.jpg".
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** File systems stop at 255 bytes; a name far longer is a broken or hostile listing. */
const MAX_NAME = 1024;

/** Why a listed name can't be used as an entry, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'the entry has no name';
  if (name.length > MAX_NAME) return `the name is longer than ${MAX_NAME} characters`;
  if (name === '.' || name === '..') return `the name "${name}" stands for a directory, not an entry`;
  if (name.includes('/') || name.includes('\\')) return 'the name contains a path separator (/ or \\)';
  if (UNSAFE.test(name)) return 'the name contains a control or bidi-override character';
  return undefined;
}

/** A number from a listing that is not exactly the one the line gives (past 2^53) is refused, not rounded. */
function numbersProblem(e: FileEntry): string | undefined {
  if (e.size !== undefined && !Number.isSafeInteger(e.size) && !e.sizeApproximate) return 'the size is out of range';
  if (e.device && !(Number.isSafeInteger(e.device.major) && Number.isSafeInteger(e.device.minor))) return 'the device numbers are out of range';
  return undefined;
}

/** Why an entry can't be used: its name (nameProblem), or a number out of range. */
export function entryProblem(e: FileEntry): string | undefined {
  return nameProblem(e.name) ?? numbersProblem(e);
}

/** Quick check for the per-line pass: the name rule or a number out of range. */
export function hasEntryProblem(e: FileEntry): boolean {
  return hasNameProblem(e.name) || numbersProblem(e) !== undefined;
}

/**
 * Moves entries whose name fails `nameProblem` (or whose numbers are out of range) to `unparsed` (with the line they came from). Runs
 * after symlink targets are resolved, since that step absorbs target entries some servers list
 * under a path.
 */
export function refuseUnsafeNames(result: ListingResult, lineOf: ReadonlyMap<FileEntry, string>): ListingResult {
  const entries: FileEntry[] = [];
  for (const e of result.entries) {
    const problem = entryProblem(e);
    if (problem) result.unparsed.push({ line: lineOf.get(e) ?? e.name, reason: problem });
    else entries.push(e);
  }
  result.entries = entries;
  return result;
}

// nameProblem's characters in one class: V8 runs it as machine code from the first listing on.
// eslint-disable-next-line no-control-regex
const UNSAFE_OR_SEPARATOR = /[\u0000-\u001f/\\\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The same rule as nameProblem, without saying why (the per-line check of a listing). */
export function hasNameProblem(name: string): boolean {
  const len = name.length;
  if (len === 0 || len > MAX_NAME) return true;
  if (name.charCodeAt(0) === 46 && (len === 1 || (len === 2 && name.charCodeAt(1) === 46))) return true;
  return UNSAFE_OR_SEPARATOR.test(name);
}
