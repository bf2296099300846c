/** A site list's bytes to records, whichever format it is (told by its first character, not its name). */
import { ImportFileError, ParsedFile } from './records';
import { decodeFile } from './limits';
import { parseFileZilla } from './filezilla';
import { parseSftpJson } from './sftp-json';

export function parseSiteList(bytes: Uint8Array): ParsedFile {
  const text = decodeFile(bytes);
  const first = /\S/.exec(text)?.[0];
  if (first === '<') return parseFileZilla(text);
  if (first === '{' || first === '[' || first === '/') return parseSftpJson(text);
  throw new ImportFileError(first === undefined ? 'The file is empty.' : "The file is neither FileZilla's site list (XML) nor an sftp.json (JSON).");
}
