/**
 * What a site's server was seen to do, learnt by one connection and shared by the others of a pool
 * (FtpPool gives its clients one object), so that each connection doesn't find out again at a cost.
 */
export interface ServerHabits {
  /**
   * Whether commands sent together in one write (a rename's RNFR with its RNTO; a stat's SIZE, CWD
   * and MDTM without MLST) are answered in order, each after the one before was carried out:
   * undefined until tried, false once a server answered out of step or not at all (a dropped
   * connection counts too: it costs round trips, never a wrong answer); then commands go one at a
   * time, as lftp's sync mode does. False too once three stats or three transfers in a row were
   * answered about 40 ms late (`heldBatches`): the server holds each reply until the one before is
   * acknowledged, which costs more than sending one at a time (client.ts noteHeld).
   */
  pipelining?: boolean;
  /**
   * Batches in a row answered as if held back (client.ts noteHeld), counted apart for stats (SIZE,
   * CWD, MDTM) and for data commands sent with EPSV/PASV (a folder upload may send no stat at all).
   */
  heldBatches?: { replies: number; transfers: number };
  /** What listing command works here (MLSD, `LIST -a`, LIST), learnt on first use. */
  listCommand?: 'MLSD' | 'LIST -a' | 'LIST';
  /** Whether SIZE of a directory is refused here (then a 213 means a file), for stats one command at a time (client.ts stat). */
  sizeRefusesDirs?: boolean;
  /** STAT with a path is not a command this server knows. */
  statRefused?: boolean;
  /**
   * False once a data port opened ahead (EPSV/PASV sent with an upload's rename, for the next
   * transfer: client.ts portAheadCommand) could not be connected to: none is opened ahead here again.
   */
  portsAhead?: boolean;
}
