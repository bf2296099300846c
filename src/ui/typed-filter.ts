/**
 * Which row of a quick pick a filter typed in it stands for, when the extension host can't trust
 * the row it was told is active (no `vscode` import: unit-tested).
 *
 * The window filters as keys are typed, but they reach the extension host a moment later: a list
 * whose rows arrive in between (a folder just listed) is given an active row the typed filter
 * hides, and then nothing is active and Enter does nothing (a user's walk in code-server). VS Code's
 * quick pick keeps a row whose label holds the filter (any case, icons left out); so the active row
 * is kept when it holds the filter, else the first row that does is taken.
 */

/** The label's text without its `$(icon)` parts, as the window matches it. */
function labelText(label: string): string {
  return label.replace(/(?<!\\)\$\([a-z0-9~-]+\)/gi, '').replace(/\\\$\(/g, '$(').trim();
}

/** Whether the window shows `item` under `filter`. Only the case-insensitive substring match is checked (the window also matches by word starts). */
export function holdsFilter(item: { label: string }, filter: string): boolean {
  return labelText(item.label).toLowerCase().includes(filter.toLowerCase());
}

/**
 * The row `filter` stands for: `active` when the filter is empty or `active` holds it, else the
 * first of `items` that holds it, else `active` as it is (a row the window matched some other way).
 */
export function rowForFilter<T extends { label: string }>(items: readonly T[], active: T | undefined, filter: string): T | undefined {
  if (!filter || (active && holdsFilter(active, filter))) return active;
  return items.find((i) => holdsFilter(i, filter)) ?? active;
}
