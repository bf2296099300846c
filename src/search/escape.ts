/**
 * Server text (file and folder names, replies) shown as text. A stand-in for `src/ui/escape.ts`
 * (same names, same behaviour for what is used here) until that file is on this branch; then this
 * one re-exports it and keeps only `escapeIcons`.
 */

/** Bidi overrides and isolates, zero-width and other invisible format characters that can reorder or hide text. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Control and bidi characters made visible (`<U+202E>`), so a name can't hide or reorder what follows it. */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

/**
 * For notifications, progress messages and quick input titles, which turn `[label](command:...)`
 * into a link: every "](" opened up to "] (", invisible characters shown.
 */
export function escapeMessage(text: string): string {
  return showInvisible(String(text)).replace(/\]\(/g, '] (');
}

/** For quick pick labels and descriptions, which draw `$(name)` as an icon: `\$(` is drawn as `$(`. */
export function escapeIcons(text: string): string {
  return showInvisible(String(text)).replace(/\$\(/g, '\\$(');
}
