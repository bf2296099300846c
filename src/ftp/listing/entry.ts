/** One entry of a directory listing, whatever format the server used. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'unknown';

export interface FileEntry {
  /** The name exactly as the server sent it (decoded), spaces kept. */
  name: string;
  type: EntryType;
  /** Bytes; undefined when the server did not say. */
  size?: number;
  /** Modification time. MLSD/MLST give UTC to the second; LIST dates carry the precision below. */
  modified?: Date;
  /**
   * How exact `modified` is: 'second' (MLSD/MLST, MDTM, LIST lines that print seconds), 'minute' (LIST
   * `Nov 22 12:01`, with the year inferred, and DOS/IIS times), 'day' (LIST `Nov 22  2024`, no time).
   */
  modifiedPrecision?: 'second' | 'minute' | 'day';
  /** Target of a symlink (`name -> target` in `ls -l`). */
  linkTarget?: string;
  /** Unix permission bits, e.g. 0o644, when the listing gave them. */
  mode?: number;
  /** Raw `rwxr-xr-x` or MLSD `perm` fact. */
  permissions?: string;
  owner?: string;
  group?: string;
  /** Major/minor numbers of a block or character device (`ls -l` prints them instead of a size). */
  device?: { major: number; minor: number };
  /** MLSD facts as received (lower-cased keys), for callers that want more. */
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

export interface ListingOptions {
  /**
   * The server's time zone for LIST dates, in minutes east of UTC (60 for UTC+1, -300 for UTC-5).
   * LIST times are the server's local time, so UTC = local - offset. MLSD times are UTC already and ignore it.
   */
  serverTimeZoneOffsetMinutes?: number;
  /** "Now", for year inference of `Nov 22 12:01` dates; defaults to the current time. */
  now?: Date;
}
