/**
 * Text from a server (replies, file names, certificate fields), and names from settings a workspace
 * may define, shown in VS Code without becoming anything else: no links in notifications, no
 * Markdown in tooltips, no HTML in the doctor's webview. No `vscode` import: the engine's users and
 * the unit tests can use it too.
 *
 * VS Code turns `[label](command:...)` (also `https://`, `file:`) into a clickable link in every
 * notification, error message and progress message (vs/base/common/linkedText.ts:
 * /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^\)\s]+)(?: (["'])(.+?)(\3))?\)/gi). A link needs
 * "](" with nothing between; `escapeMessage` puts a space there, so the text reads the same and
 * can't be clicked.
 */

/** Bidi overrides and isolates, zero-width and other invisible format characters that can reorder or hide text. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Control and bidi characters made visible (U+202E), so a name can't hide or reorder what follows it. */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

/**
 * For `showErrorMessage` / `showWarningMessage` / `showInformationMessage`, progress messages and
 * `FileSystemError` messages: the text with every "](" opened up to "] (" (no link can form) and
 * invisible characters shown. Idempotent, so text escaped twice reads the same.
 */
export function escapeMessage(text: string): string {
  return showInvisible(String(text)).replace(/\]\(/g, '] (');
}

/**
 * For quick pick labels, descriptions and details, which draw `$(name)` as an icon (`\$(` is drawn
 * as `$(`) and read a description's `[label](target)` as a link in its hover: both neutralised.
 */
export function escapeIcons(text: string): string {
  return escapeMessage(text).replace(/\$\(/g, '\\$(');
}

/**
 * For a `MarkdownString` (tooltips) and Markdown meant to be pasted (the doctor's copy): the text
 * reads as itself and nothing in it becomes a link, image, autolink (`https\://`, `www\.`,
 * `a\@b`), HTML, emphasis, code, a table cell break, a heading, a list or a quote. Characters that
 * mean nothing in running text (`/`, `.`, `:`, `,`) stay as they are, so addresses stay readable.
 * Invisible characters are shown.
 */
export function escapeMarkdown(text: string): string {
  return showInvisible(String(text))
    .replace(/[\\`*_~[\]()<>!|&#{}@$]/g, '\\$&')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.')
    // What only means something at the start of a line: list items, setext headings, ordered lists.
    .replace(/^([ \t]*)([-+=]|\d+\.)/gm, (_m, indent: string, marker: string) => `${indent}${marker.replace(/[-+=.]$/, '\\$&')}`);
}

/** For one cell of a Markdown table: escaped as above, newlines as <br> (the only HTML in it). */
export function markdownCell(text: string): string {
  return escapeMarkdown(text).replace(/\r?\n/g, '<br>');
}

/**
 * Protocol text (commands, replies) for one cell of a Markdown table: each line an inline code span
 * (nothing inside one is Markdown or HTML), with a fence longer than any backticks in it, and `|`
 * escaped as GFM tables require even inside code; lines joined by <br>.
 */
export function markdownCodeCell(text: string): string {
  return String(text).split(/\r?\n/).filter((l) => l !== '').map((line) => {
    const shown = showInvisible(line).replace(/\|/g, '\\|');
    const longest = Math.max(0, ...[...shown.matchAll(/`+/g)].map((m) => m[0].length));
    const fence = '`'.repeat(longest + 1);
    const pad = /^[` ]|[` ]$/.test(shown) ? ' ' : '';
    return `${fence}${pad}${shown}${pad}${fence}`;
  }).join('<br>');
}

/** A fenced code block that the text can't close: the fence is longer than any run of backticks in it. */
export function markdownFence(text: string, lang = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** For HTML text and attribute values; invisible characters shown. */
export function escapeHtml(text: string): string {
  return showInvisible(String(text)).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}
