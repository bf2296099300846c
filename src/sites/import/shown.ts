/**
 * Text from an imported file, shown in VS Code as the text it is. The file is untrusted: a site
 * named `[Update](command:...)` must not become a link in a notification, `$(alert)` must not
 * become an icon in a quick pick, and bidi or zero-width characters must not reorder or hide what
 * follows them. No `vscode` import.
 */

// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Control, bidi and zero-width characters made visible as `<U+202E>`. */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

/**
 * For notifications and modal messages: VS Code links `[label](command:...|https:...|file:...)`
 * there; a space between "]" and "(" keeps every one from forming. Cut to `max` characters.
 */
export function forMessage(text: string, max = 200): string {
  const shown = showInvisible(text).replace(/\]\(/g, '] (');
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}

/**
 * For a quick pick's label, description and detail: `$(name)` there is an icon (a backslash before
 * it shows it as typed), and a description's hover reads `[label](target)` as a link (opened up
 * as in messages). Cut to `max` characters.
 */
export function forQuickPick(text: string, max = 200): string {
  const shown = showInvisible(text).replace(/\]\(/g, '] (');
  const cut = shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
  return cut.replace(/\$\(/g, '\\$(');
}
