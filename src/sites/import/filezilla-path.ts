/**
 * FileZilla's saved form of a server path (the `RemoteDir` of a site): the server type, the length
 * of a prefix and the prefix, then each segment as its length and its text, separated by spaces:
 *
 *   `1 0 11 public_html`          /public_html (type 1: Unix)
 *   `1 0 3 www 4 blog`            /www/blog
 *   `1 0`                         /
 *   `3 0 2 C: 3 www`              C:/www (type 3: DOS)
 *
 * Lengths count characters. FileZilla counts them in `wchar_t`: code points on Linux and macOS,
 * UTF-16 units on Windows; both are tried, so a segment with an emoji reads right from either.
 */

/** FileZilla's server types (its `ServerType` enum, in file order). */
const SERVER_TYPES = ['default', 'Unix', 'VMS', 'DOS', 'MVS', 'VxWorks', 'z/VM', 'HP NonStop', 'DOS (virtual)', 'Cygwin', 'DOS (forward slashes)'];
/** Types whose paths are `/a/b` (what FTP Workspace's remoteRoot means). */
const UNIX_LIKE = new Set([0, 1, 8, 9]);
/** Types whose paths start with a drive: `C:/a/b` (sent with forward slashes, which DOS-style servers take). */
const DRIVE = new Set([3, 10]);

export type RemoteDir = { path: string } | { problem: string };

/** Reads `n` characters at `at`: code points first, else UTF-16 units; undefined when neither ends at a space or the end. */
function take(text: string, at: number, n: number): { value: string; end: number } | undefined {
  const fits = (end: number) => end <= text.length && (end === text.length || text[end] === ' ');
  let end = at;
  for (let i = 0; i < n && end < text.length; i++) end += (text.codePointAt(end)! > 0xffff ? 2 : 1);
  if (fits(end) && [...text.slice(at, end)].length === n) return { value: text.slice(at, end), end };
  if (fits(at + n)) return { value: text.slice(at, at + n), end: at + n };
  return undefined;
}

/** The directory a `RemoteDir` names, or why it can't be used. An empty text is no directory (undefined). */
export function decodeRemoteDir(safe: string): RemoteDir | undefined {
  if (safe.trim() === '') return undefined;
  const bad = { problem: `its remote folder ("${safe.length > 80 ? `${safe.slice(0, 80)}...` : safe}") is not in FileZilla's form` };
  const head = /^(\d{1,3}) (\d{1,5})/.exec(safe);
  if (!head) return bad;
  const type = Number(head[1]);
  const prefixLength = Number(head[2]);
  let at = head[0].length;
  if (prefixLength > 0) {
    if (safe[at] !== ' ') return bad;
    const prefix = take(safe, at + 1, prefixLength);
    if (!prefix) return bad;
    at = prefix.end;
  }
  const segments: string[] = [];
  while (at < safe.length) {
    const m = /^ (\d{1,5}) /.exec(safe.slice(at, at + 8));
    if (!m || Number(m[1]) === 0) return bad;
    const segment = take(safe, at + m[0].length, Number(m[1]));
    if (!segment) return bad;
    segments.push(segment.value);
    at = segment.end;
  }
  if (segments.some((s) => s === '.' || s === '..' || /[/\0\r\n]/.test(s))) return { problem: 'its remote folder has a segment that is not a folder name (".", "..", a slash or a line break)' };
  if (UNIX_LIKE.has(type)) return { path: `/${segments.join('/')}` };
  if (DRIVE.has(type) && segments.length > 0 && /^[A-Za-z]:$/.test(segments[0])) return { path: segments.join('/') + (segments.length === 1 ? '/' : '') };
  const name = SERVER_TYPES[type] ?? `type ${type}`;
  return { problem: `its remote folder is a ${name} server path, which FTP Workspace can't take as a root folder: set remoteRoot by hand` };
}
