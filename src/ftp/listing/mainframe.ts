/**
 * IBM mainframe and midrange listings, in the shapes Apache Commons Net (MVSFTPEntryParser,
 * OS400FTPEntryParser), FileZilla's parser tests and IBM's FTP server documentation give.
 *
 * z/OS (MVS) data sets, under the header `Volume Unit Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname`:
 *
 *   WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  USER.DATA.FILE
 *   SAVE01 3390   2004/06/23  1    1  FB     128  6144  PO    INCOMING.RPTBM024.D061704
 *   NRP004 3390   **NONE**    1   15  NONE     0     0  PO  NO.DATE.DATASET
 *   Migrated                                                USER.OLD.DATA
 *
 * PO/PO-E (partitioned) data sets are directories, the rest files. "Referred" is the date the data set
 * was last used, not modified, so it is not given as `modified`; there is no byte size.
 *
 * PDS members, under `Name VV.MM Created Changed Size Init Mod Id` (Size counts records, not bytes, so
 * there is no size; Changed is the modification time), load-module members under `Name Size TTR
 * Alias-of ...` (size in hex bytes), and members without statistics (a bare name): the last two only
 * with context (that header seen, or an MVS SYST answer).
 *
 *   TBSHELF   01.03 2002/09/12 2002/10/11 09:37    11    11     0 KIL001
 *   LOADMOD   00B308 000411  00 FO                31    ANY
 *
 * z/VM (CMS minidisks and SFS): file name, file type, record format, record length, records, blocks,
 * date, time, label. The name is `NAME.TYPE`; the size is records x record length (approximate for
 * variable-length `V` files); file type DIR is a directory.
 *
 *   PROFILE  EXEC     V         72         13          1 2005-10-04 15:28:42 060191
 *
 * IBM i (OS/400, AS/400), LISTFMT 0: owner, size, date, time, object type, name. Dates follow the
 * server job's format (MM/DD/YY, DD.MM.YY, YY/MM/DD: see ListingContext.dateOrder); *DIR, *LIB, *FLR,
 * *DDIR and *FILE (a database file holds members) are directories, *STMF, *MEM, *DOC and save files
 * (*FILE NAME.SAVF) files, other object types `unknown`. A member is listed as `FILE.FILE/MEMBER.MBR`:
 * its name is the part after the last `/`. A *FILE line without a name is the file itself (`.`).
 *
 *   QSYS            77824 02/23/00 15:09:55 *DIR       QSYS/
 *   RADDATZ           200 21.05.11 12:31:18 *STMF      TEST_RG_02_CRLF.properties
 *   QPGMR                                   *MEM       MKCMD.MBR
 */
import { FileEntry, LineParseResult } from './entry';
import { DateContext, localDate, numericDate, wallClockMs } from './dates';
import { Tokens, isBlank } from './tokens';

const TOKENS = new Tokens(16);

/** Which MVS list a listing is (from its header line, or context). */
export type MvsList = 'datasets' | 'members' | 'loadModules';

/** The MVS list a header line announces, if it is one. */
export function mvsHeader(line: string): MvsList | undefined {
  const s = line.trim();
  if (/^Volume\s+Unit\s+Referred\s+Ext\s+Used\s+Recfm\s+Lrecl\s+BlkSz\s+Dsorg\s+Dsname$/i.test(s)) return 'datasets';
  if (/^Name\s+VV\.MM\s+Created\s+Changed\s+Size\s+Init\s+Mod\s+Id$/i.test(s)) return 'members';
  if (/^Name\s+Size\s+TTR\s+Alias-of\s+AC\b/i.test(s)) return 'loadModules';
  return undefined;
}

/** Other headers of mainframe listings that carry no entry (JES job lists). */
export function isMainframeHeader(line: string): boolean {
  return /^JOBNAME\s+JOBID\s+OWNER\s+STATUS\s+CLASS\s*$/i.test(line.trim());
}

/** SYST answers of z/OS (MVS), z/VM and IBM i. */
export function mainframeSystem(system: string | undefined): 'mvs' | 'zvm' | 'os400' | undefined {
  if (!system) return undefined;
  if (/\bMVS\b|z\/OS|OS\/390/i.test(system)) return 'mvs';
  if (/z\/VM|VM\/CMS|VM\/ESA|\bVM is the operating system/i.test(system)) return 'zvm';
  if (/OS\/400|i5\/OS|\bIBM i\b|AS\/400/i.test(system)) return 'os400';
  return undefined;
}

const DSORGS = new Set(['PS', 'PO', 'PO-E', 'PS-E', 'DA', 'IS', 'VS', 'VSAM', 'GDG', 'HFS', 'ZFS']);

function isSlashDate(text: string): boolean {
  return /^\d{4}\/\d{2}\/\d{2}$/.test(text);
}

function validSlashDate(text: string): boolean {
  return !Number.isNaN(wallClockMs(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10)), 0, 0, 0, 0));
}

/** MVS data set lines: volume, unit (4 digits or Tape), referred date, ..., dsorg, dsname. undefined when not one. */
export function mvsDatasetLine(line: string): LineParseResult | undefined {
  const t = TOKENS;
  const n = t.split(line);
  if (n < 2) return undefined;
  if ((t.is(0, 'Migrated') || t.is(0, 'MIGRATED')) && n === 2) return { entry: { name: t.text(1), type: 'file' } };
  if (t.is(0, 'ARCIVE') && n === 6 && t.is(1, 'Not') && t.is(2, 'Direct')) return { entry: { name: t.text(5), type: 'file' } };
  if (n < 3) return undefined;
  const unitIsDisk = t.length(1) === 4 && t.digits(1) >= 0;
  if (!(unitIsDisk || t.is(1, 'Tape')) || t.length(0) > 6) return undefined;
  const name = t.text(n - 1);
  if (n === 3) return t.is(1, 'Tape') ? { entry: { name, type: 'file' } } : undefined;
  const referred = t.text(2);
  if (isSlashDate(referred)) {
    if (!validSlashDate(referred)) return { error: `invalid date '${referred}'` };
  } else if (referred !== '**NONE**' && !(n === 4 && referred === 'VSAM')) return undefined;
  const dsorg = t.text(n - 2);
  if (n === 4) return { entry: { name, type: 'file' } };
  if (!DSORGS.has(dsorg.toUpperCase())) return { error: `unknown data set organisation '${dsorg}'` };
  const partitioned = /^PO(?:-E)?$/i.test(dsorg);
  return { entry: { name, type: partitioned ? 'directory' : 'file' } };
}

/** PDS member lines with statistics: name, VV.MM, created, changed date and time, size, init, mod, id. */
export function mvsMemberLine(line: string, dc: DateContext): LineParseResult | undefined {
  const t = TOKENS;
  const n = t.split(line);
  if (n < 5 || !/^\d{2}\.\d{2}$/.test(t.text(1)) || !isSlashDate(t.text(2)) || !isSlashDate(t.text(3))) return undefined;
  const time = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t.text(4));
  if (!time) return undefined;
  const changed = t.text(3);
  if (!validSlashDate(t.text(2))) return { error: `invalid date '${t.text(2)}'` };
  const modified = localDate(dc, Number(changed.slice(0, 4)), Number(changed.slice(5, 7)) - 1, Number(changed.slice(8, 10)), Number(time[1]), Number(time[2]), Number(time[3] ?? 0), 0);
  if (modified === undefined) return { error: `invalid date '${line.slice(t.start[3], t.end[4])}'` };
  return { entry: { name: t.text(0), type: 'file', modified, modifiedPrecision: time[3] !== undefined ? 'second' : 'minute' } };
}

/** Load module members: name, size (6 hex digits, bytes), TTR (6 hex digits), then attributes. MVS context only. */
export function mvsLoadModuleLine(line: string): LineParseResult | undefined {
  const t = TOKENS;
  const n = t.split(line);
  if (n < 3 || !/^[0-9A-F]{6}$/.test(t.text(1)) || !/^[0-9A-F]{6}$/.test(t.text(2))) return undefined;
  return { entry: { name: t.text(0), type: 'file', size: parseInt(t.text(1), 16) } };
}

/** A member without statistics: the name alone on its line. MVS context only. */
export function mvsBareMemberLine(line: string): LineParseResult | undefined {
  const t = TOKENS;
  if (t.split(line) !== 1 || isBlank(line.charCodeAt(0))) return undefined;
  return { entry: { name: t.text(0), type: 'file' } };
}

/** z/VM lines: fn ft recfm lrecl records blocks date time label. */
export function zvmLine(line: string, dc: DateContext): LineParseResult | undefined {
  const t = TOKENS;
  const n = t.split(line);
  if (n !== 9 && n !== 8) return undefined;
  const recfm = t.text(2);
  const directory = t.is(1, 'DIR') && recfm === '-';
  if (!directory && recfm !== 'F' && recfm !== 'V') return undefined;
  const lrecl = t.digits(3);
  const records = t.digits(4);
  if (!directory && (lrecl < 0 || records < 0 || t.digits(5) < 0)) return undefined;
  const dateText = t.text(6);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateText);
  const us = /^(\d{2})\/(\d{2})\/(\d{2})$/.exec(dateText);
  const time = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t.text(7));
  if (!(iso || us) || !time) return undefined;
  const year = iso ? Number(iso[1]) : 2000 + Number(us![3]) - (Number(us![3]) >= 70 ? 100 : 0);
  const month = Number(iso ? iso[2] : us![1]) - 1;
  const day = Number(iso ? iso[3] : us![2]);
  const modified = localDate(dc, year, month, day, Number(time[1]), Number(time[2]), Number(time[3] ?? 0), 0);
  if (modified === undefined) return { error: `invalid date '${line.slice(t.start[6], t.end[7])}'` };
  const entry: FileEntry = {
    name: `${t.text(0)}.${t.text(1)}`,
    type: directory ? 'directory' : 'file',
    modified,
    modifiedPrecision: time[3] !== undefined ? 'second' : 'minute',
  };
  if (directory) entry.name = t.text(0);
  else {
    entry.size = lrecl * records;
    if (recfm === 'V') entry.sizeApproximate = true;
  }
  if (n === 9) entry.owner = t.text(8);
  return { entry };
}

const OS400_DIRECTORIES = new Set(['*DIR', '*DDIR', '*LIB', '*FLR', '*FILE']);
const OS400_FILES = new Set(['*STMF', '*MEM', '*DOC', '*USRSPC']);

/** IBM i lines: owner [size date time] *TYPE [name]. undefined when not one. */
export function os400Line(line: string, dc: DateContext): LineParseResult | undefined {
  const t = TOKENS;
  const n = t.split(line);
  if (n < 2) return undefined;
  // The owner is blank for anonymous sessions.
  let k = t.digits(0) >= 0 && n >= 4 && /^\d/.test(t.text(1)) && t.text(3).startsWith('*') ? 0 : 1;
  const owner = k === 1 ? t.text(0) : undefined;
  let size: number | undefined;
  let modified: number | undefined;
  if (!t.text(k).startsWith('*')) {
    if (k + 3 >= n || !t.text(k + 3).startsWith('*')) return undefined;
    size = t.digits(k);
    const d = /^(\d{2})([/.-])(\d{2})\2(\d{2}|\d{4})$/.exec(t.text(k + 1));
    const time = /^(\d{2})[:.](\d{2})[:.](\d{2})$/.exec(t.text(k + 2));
    if (size < 0 || !d || !time) return undefined;
    const date = numericDate(dc, Number(d[1]), 2, Number(d[3]), 2, Number(d[4]), d[4].length, d[2] === '.', false);
    modified = date ? localDate(dc, date.year, date.month, date.day, Number(time[1]), Number(time[2]), Number(time[3]), 0) : undefined;
    if (modified === undefined) return { error: `invalid date '${line.slice(t.start[k + 1], t.end[k + 2])}'` };
    k += 3;
  }
  const type = t.text(k).toUpperCase();
  if (!/^\*[A-Z]{2,10}$/.test(type)) return undefined;
  let name = k + 1 < n ? line.slice(t.start[k + 1]) : '';
  if (name.trim() === '') {
    if (type === '*FILE') return { entry: { name: '.', type: 'directory' } };
    return { error: `no name after ${type} in the OS/400 line` };
  }
  if (name.length > 1 && name.endsWith('/')) name = name.slice(0, -1);
  if (type === '*MEM') name = name.slice(name.lastIndexOf('/') + 1);
  const entry: FileEntry = { name, type: 'unknown' };
  if (type === '*FILE' && /\.SAVF$/i.test(name)) entry.type = 'file';
  else if (OS400_DIRECTORIES.has(type)) entry.type = 'directory';
  else if (OS400_FILES.has(type)) entry.type = 'file';
  if (size !== undefined) entry.size = size;
  if (modified !== undefined) {
    entry.modified = modified;
    entry.modifiedPrecision = 'second';
  }
  if (owner !== undefined) entry.owner = owner;
  return { entry };
}

