/**
 * The protocol engine's connecting and transferring parts (engine-parts.ts), loaded when first
 * needed: a site's first connection, Add Site's check, the doctor's TLS question. The extension
 * activates in every window, FTP or not, and every byte of extension.js is read at each start;
 * these parts were about half of it. What the rest of the extension imports from src/ftp directly
 * (errors, paths, data method names, types) is small and keeps no state, so its copy in each
 * bundle does no harm (an FtpError is known by its mark in any copy: src/ftp/errors.ts).
 */
type EngineParts = typeof import('./engine-parts');

/**
 * The engine's file could not be loaded (missing, unreadable, damaged: an install to repair): no
 * server's answer, no local file of the user's.
 */
export class EngineLoadError extends Error {
  override readonly name = 'EngineLoadError';
}

export function isEngineLoadError(e: unknown): e is EngineLoadError {
  return e instanceof Error && e.name === 'EngineLoadError';
}

/**
 * `load` made once, its promise given to every caller; a failed load is not kept, so the next call
 * tries again (a file held for a moment, as a virus scanner does on Windows, loads then).
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw new EngineLoadError(`FTP Workspace could not load its FTP engine (${e instanceof Error ? e.message : String(e)}). Reload the window; if this goes on, reinstall the extension.`, { cause: e });
  }));
}

/** The same promise every time once loaded: an await costs nothing more. */
export const loadEngine: () => Promise<EngineParts> = loadOnce(() => import('./engine-parts'));
