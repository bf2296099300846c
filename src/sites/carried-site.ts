/**
 * What Open Site's one-folder workspace file carries of a site that only a workspace (or a folder)
 * defines, so the window it opens knows the site: a three-way merge of the definition in the
 * window Open Site runs in, the copy in the workspace file, and the copy carried last time. No
 * `vscode` import, so unit tests can check it.
 */

/** A site's settings as JSON (SiteConfig, but any object: the settings file may hold anything). */
export type SiteSettings = Record<string, unknown>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The copy the workspace file should hold after this Open Site, or undefined for none.
 * - `source`: the site as the window running Open Site defines it in its workspace or folder
 *   settings (undefined: only the user settings define it, which every window reads anyway).
 * - `copy`: what the workspace file holds now (undefined: nothing).
 * - `carried`: what Open Site wrote there last time (undefined: never, or not known).
 *
 * A setting changed in the site's own window since it was carried (Set Transfer Mode there) is
 * kept; one changed where the site is defined is carried over; changed in both, the definition
 * the user is opening from wins. A copy nobody changed is dropped once only the user settings
 * define the site (they apply in that window too); a changed one stays.
 */
export function carrySite(source: SiteSettings | undefined, copy: SiteSettings | undefined, carried: SiteSettings | undefined): SiteSettings | undefined {
  if (!source) return copy === undefined || (carried !== undefined && same(copy, carried)) ? undefined : copy;
  if (!copy || !carried) return { ...source };
  const merged: SiteSettings = {};
  for (const key of new Set([...Object.keys(source), ...Object.keys(copy), ...Object.keys(carried)])) {
    const value = same(source[key], carried[key]) ? copy[key] : source[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}
