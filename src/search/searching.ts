/**
 * What FTP: Go to File and FTP: Find in Files run, loaded when one of them is first used: a file of
 * its own in the production build (scripts/build.mjs), so a window's start-up doesn't read it. It
 * keeps its state here (the listings kept, the search running); the results documents stay in
 * extension.js, registered at start (index.ts), and are handed in.
 */
import type { Connections } from '../fs/connections';
import { FindInFiles } from './find-in-files';
import { GoToFileArgs, goToFile } from './go-to-file';
import type { ResultsDocuments } from './results-document';
import { TreeCache } from './tree-cache';

/** How long a complete listing is reused. */
const LISTING_KEPT_MS = 60_000;

export interface Searching {
  cache: TreeCache;
  find: FindInFiles;
  goToFile(args: GoToFileArgs): Promise<unknown>;
}

export function startSearching(connections: Connections, documents: ResultsDocuments): Searching {
  const cache = new TreeCache(LISTING_KEPT_MS);
  return { cache, find: new FindInFiles(connections, cache, documents), goToFile: (args) => goToFile(connections, cache, args) };
}
