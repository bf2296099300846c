/**
 * Text from an imported file, shown in VS Code as the text it is. The file is untrusted: a site
 * named `[Update](command:...)` must not become a link in a notification, `$(alert)` must not
 * become an icon in a quick pick, and bidi or zero-width characters must not reorder or hide what
 * follows them. No `vscode` import.
 */

import { escapeIcons, escapeMessage } from '../../ui/escape';

/** A field of the file is one line: its tabs and line breaks are shown too (`<U+000A>`), not obeyed. */
function oneLine(text: string): string {
  return text.replace(/[\t\n\r]/g, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

/**
 * For notifications and modal messages: VS Code links `[label](command:...|https:...|file:...)`
 * there; a space between "]" and "(" keeps every one from forming. Cut to `max` characters.
 */
export function forMessage(text: string, max = 200): string {
  const shown = escapeMessage(oneLine(text));
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}

/**
 * For a quick pick's label, description and detail: `$(name)` there is an icon (a backslash before
 * it shows it as typed), and a description's hover reads `[label](target)` as a link (opened up
 * as in messages). Cut to `max` characters.
 */
export function forQuickPick(text: string, max = 200): string {
  const shown = escapeMessage(oneLine(text));
  return escapeIcons(shown.length > max ? `${shown.slice(0, max - 1)}…` : shown);
}
