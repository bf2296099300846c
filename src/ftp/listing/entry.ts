/** One entry of a directory listing, whatever format the server used; and what a parser is told. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'unknown';

export interface FileEntry {
  /** The name exactly as the server sent it (decoded), spaces kept. */
  name: string;
  type: EntryType;
  /** Bytes; undefined when the server did not say (or gave a count that is not bytes, like MVS records). */
  size?: number;
  /**
   * True when `size` is only an estimate: VMS blocks x 512, z/OS VM records x record length of a
   * variable-length file, a human size like `33.5k`. Ask SIZE when exact bytes matter.
   */
  sizeApproximate?: true;
  /**
   * Modification time, milliseconds since 1970 UTC (like VS Code's FileStat.mtime; a number, not a
   * Date: a Date costs 100 bytes more per entry, which a 100,000-entry listing pays in GC pauses).
   * MLSD/MLST give UTC to the second; LIST dates carry the precision below. 0 is a time (1970), so
   * test it with `!== undefined`.
   */
  modified?: number;
  /**
   * How exact `modified` is: 'second' (MLSD/MLST, MDTM, LIST lines that print seconds), 'minute' (LIST
   * `Nov 22 12:01`, with the year inferred, and DOS/IIS times), 'day' (LIST `Nov 22  2024`, no time).
   */
  modifiedPrecision?: 'second' | 'minute' | 'day';
  /** Target of a symlink (`name -> target` in `ls -l`, `[target]` of a DOS junction). */
  linkTarget?: string;
  /** Unix permission bits, e.g. 0o644, when the listing gave them. */
  mode?: number;
  /** Raw `rwxr-xr-x`, MLSD `perm` fact, NetWare `[RWCEAFMS]` or VMS `RWED,RWED,RE,` protection. */
  permissions?: string;
  owner?: string;
  group?: string;
  /** Major/minor numbers of a block or character device (`ls -l` prints them instead of a size). */
  device?: { major: number; minor: number };
  /** VMS file version (`NAME.TXT;3` is named `NAME.TXT`; a listing keeps the highest version of a name). */
  version?: number;
  /** MLSD facts as received (lower-cased keys), for callers that want more. Only MLSD/MLST lines have them. */
  facts?: Record<string, string>;
}

/** A listing line the parsers could not read: reported, never fatal. */
export interface UnparsedLine {
  line: string;
  reason: string;
}

/** What a single-line parser makes of one line: an entry, or why it could not read it. */
export type LineParseResult = { entry: FileEntry } | { error: string };

export interface ListingResult {
  entries: FileEntry[];
  unparsed: UnparsedLine[];
}

/** What the data connection carried: the answer to LIST (any format), MLSD (RFC 3659 facts) or NLST (names). */
export type ListingFormat = 'list' | 'mlsd' | 'nlst';

/**
 * What a real client knows when it reads a listing. Everything is optional; each piece only settles
 * a question the lines alone leave open.
 */
export interface ListingContext {
  /**
   * The command that produced the listing ('LIST', 'LIST -a', 'MLSD', 'NLST', 'STAT'). 'NLST' makes
   * every line a bare name even when parseListing was given 'list'.
   */
  command?: string;
  /**
   * The SYST answer, e.g. 'UNIX Type: L8', 'Windows_NT', 'VMS', 'OS/400 is the remote operating system',
   * 'MVS is the operating system of this server. FTP Server is running on z/OS.' It enables the
   * formats that cannot be recognised from a line alone (MVS PDS members without statistics, MVS load
   * modules) and the year rule of Windows servers (no year = the server's current year).
   */
  system?: string;
  /**
   * The server's time zone for LIST dates, in minutes east of UTC (60 for UTC+1, -300 for UTC-5).
   * LIST times are the server's local time, so UTC = local - offset. MLSD times are UTC already and ignore it.
   */
  serverTimeZoneOffsetMinutes?: number;
  /**
   * The server's 220 greeting. A server that names itself there and is known to print the year for
   * every date more than six months old, but no year for future dates (ProFTPD, Pure-FTPd, vsftpd,
   * pyftpdlib), makes a date without a year one within half a year of now, either way (see dates.ts).
   */
  greeting?: string;
  /** "Now", for year inference of `Nov 22 12:01` dates; defaults to the current time. */
  now?: Date;
  /**
   * The order of all-numeric dates whose fields could be read either way (`04/03/18`): month-day-year
   * (the default, as IIS and DOS print), day-month-year, or year-month-day (IBM i jobs set to *YMD).
   * Dates that can only be read one way (`24/04/03`, `2003-04-24`) ignore it.
   */
  dateOrder?: 'MDY' | 'DMY' | 'YMD';
}

/** The options parseListing and the per-line parsers take: the listing context. */
export type ListingOptions = ListingContext;

/**
 * A new entry with its name and type, fields to be added after. Every parser starts entries here: an
 * object grown from `{}` gets room for its fields at once (growing a two-field literal costs several
 * reallocations per entry), and all entries share one allocation site.
 */
export function newEntry(name: string, type: EntryType): FileEntry {
  const entry = {} as FileEntry;
  entry.name = name;
  entry.type = type;
  return entry;
}
