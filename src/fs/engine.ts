/**
 * The protocol engine's connecting and transferring parts (engine-parts.ts), loaded when first
 * needed: a site's first connection, Add Site's check, the doctor's TLS question. The extension
 * activates in every window, FTP or not, and every byte of extension.js is read at each start;
 * these parts were about half of it. What the rest of the extension imports from src/ftp directly
 * (errors, paths, data method names, types) is small and keeps no state, so its copy in each
 * bundle does no harm (an FtpError is known by its mark in any copy: src/ftp/errors.ts).
 */
type EngineParts = typeof import('./engine-parts');

let loading: Promise<EngineParts> | undefined;

/** The same promise every time: once loaded, an await costs nothing more. */
export function loadEngine(): Promise<EngineParts> {
  return (loading ??= import('./engine-parts'));
}
