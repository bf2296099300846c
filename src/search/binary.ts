/**
 * Which files FTP: Find in Files reads as text: not those with a known binary extension (never
 * downloaded), not those with a NUL byte in their first 8 kB (as git and VS Code decide), unless a
 * UTF-16 byte order mark says the NULs are text. No `vscode` import: unit-tested on its own.
 */

/** How much of a file's start is looked at for a NUL byte. */
export const SNIFF_BYTES = 8192;

const BINARY_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'ico', 'bmp', 'tif', 'tiff', 'psd', 'heic',
  'zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'rar', 'tar', 'jar', 'war', 'ear', 'apk',
  'exe', 'dll', 'so', 'dylib', 'o', 'a', 'lib', 'obj', 'class', 'pyc', 'pyo', 'wasm', 'bin',
  'pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp',
  'mp3', 'mp4', 'm4a', 'm4v', 'wav', 'ogg', 'oga', 'flac', 'aac', 'avi', 'mov', 'mkv', 'webm', 'wmv', 'flv', 'swf',
  'woff', 'woff2', 'ttf', 'otf', 'eot',
  'sqlite', 'sqlite3', 'db', 'mdb', 'iso', 'dmg', 'img', 'deb', 'rpm', 'msi',
]);

/** Whether the name's extension says the file is binary (so it is not downloaded at all). */
export function hasBinaryExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && BINARY_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be';

/** The encoding a byte order mark announces (UTF-8 when there is none). */
export function encodingOf(start: Uint8Array): { encoding: TextEncoding; bom: number } {
  if (start.length >= 2 && start[0] === 0xff && start[1] === 0xfe) return { encoding: 'utf16le', bom: 2 };
  if (start.length >= 2 && start[0] === 0xfe && start[1] === 0xff) return { encoding: 'utf16be', bom: 2 };
  if (start.length >= 3 && start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return { encoding: 'utf8', bom: 3 };
  return { encoding: 'utf8', bom: 0 };
}

/** Whether a file starting with these bytes is binary: a NUL in the first 8 kB, and no UTF-16 BOM. */
export function looksBinary(start: Uint8Array): boolean {
  if (encodingOf(start).encoding !== 'utf8') return false;
  const n = Math.min(start.length, SNIFF_BYTES);
  for (let i = 0; i < n; i++) if (start[i] === 0) return true;
  return false;
}

/** A text file's bytes as a string (UTF-8 unless a BOM says UTF-16; invalid bytes become U+FFFD). */
export function decodeText(bytes: Buffer): string {
  const { encoding, bom } = encodingOf(bytes);
  const body = bytes.subarray(bom);
  if (encoding === 'utf16be') {
    const swapped = Buffer.from(body.subarray(0, body.length - (body.length % 2)));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return body.toString(encoding);
}
