/**
 * What Upload and Download say while a file moves, in words (no `vscode` import: unit-tested).
 * Sizes are VS Code's units (humanSize).
 */
import { humanSize } from '../fs/entry-facts';

/** From this size on a lone file's progress shows bytes and a percentage (a smaller one is done before they could be read). */
const BYTES_FROM = 1024 * 1024;

/**
 * The line under the notification's title while a file moves. In a batch `3 of 12: style.css in
 * site/css` (the bar is the batch's; files in flight at once would make per-file figures flicker),
 * the folder after the name (the window may cut a long line at its end). A lone file: its name unless
 * the title has it already ("Downloading big.bin"), then `12.3 MB of 57.2 MB (21%)` when it is big
 * and its size is known.
 */
export function progressText(file: { name: string; size: number; folder?: string }, index: number, count: number, moved: number, titleNamesIt: boolean): string {
  if (count > 1) return `${index + 1} of ${count}: ${file.name}${file.folder ? ` in ${file.folder}` : ''}`;
  // Rounded down: 100 % only once all of it is here (a file that grew since it was listed stays at 100).
  const bytes = file.size >= BYTES_FROM ? `${humanSize(moved)} of ${humanSize(file.size)} (${Math.min(100, Math.floor((moved / file.size) * 100))}%)` : '';
  if (titleNamesIt) return bytes;
  return bytes ? `${file.name}, ${bytes}` : file.name;
}
