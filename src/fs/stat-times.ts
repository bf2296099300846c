/**
 * One modification time per unchanged file, whatever answered the stat. A folder listed by LIST
 * gives times to the minute (`Dec  1 12:01`) or the day (`Dec  1  2025`), MDTM and MLST to the
 * second. VS Code compares the mtime of the stat it makes before a save with the one it was told
 * before, and calls a later one a change on disk ("the content of the file is newer"). So when a
 * new answer describes the same file as the last one told (same size, the finer time inside the
 * coarser one's minute or day), the time told before is told again; only a real difference (size,
 * or a time outside that span) gives the new time. No `vscode` import: unit-tested alone.
 */

export type TimePrecision = 'second' | 'minute' | 'day';

/** What a stat told VS Code of a file. */
export interface ToldTime {
  size: number;
  /** ms since the epoch; 0 when unknown. */
  mtime: number;
  precision: TimePrecision;
}

const UNIT: Record<TimePrecision, number> = { second: 1000, minute: 60_000, day: 86_400_000 };

/**
 * Whether two answers describe the same state of a file: the same size, and times that agree at
 * the coarser precision (a listing's time is its true time cut to the minute or day, in the
 * server's zone: the finer time lies in [coarse, coarse + unit)).
 */
export function sameState(a: ToldTime, b: ToldTime): boolean {
  if (a.size !== b.size || !a.mtime || !b.mtime) return false;
  const [coarse, fine] = UNIT[a.precision] >= UNIT[b.precision] ? [a, b] : [b, a];
  if (coarse.precision === fine.precision) return Math.floor(coarse.mtime / 1000) === Math.floor(fine.mtime / 1000);
  return fine.mtime >= coarse.mtime && fine.mtime < coarse.mtime + UNIT[coarse.precision];
}

/**
 * The answer to give: the one told before when nothing changed (`last`, the answer the server gave
 * last, describes the same state as `fresh`), else the new one, its time never earlier than the
 * time told before. VS Code calls a file changed on disk only when its time moved forward (and its
 * size changed): a change answered with an earlier time (a listing's minute after MDTM's second, a
 * listing in the server's local time after MDTM's UTC) would let a save overwrite someone's edit.
 */
export function steadyTime(fresh: ToldTime, last: ToldTime | undefined, told: ToldTime | undefined): ToldTime {
  if (last && told && sameState(last, fresh)) return told;
  if (told && fresh.mtime <= told.mtime) return { ...fresh, mtime: told.mtime + 1 };
  return fresh;
}

/** The times told per file (by URI), oldest dropped first. */
export class ToldTimes {
  /** Per file: the server's last answer (for comparing) and what was told (for telling again). */
  private readonly files = new Map<string, { last: ToldTime; told: ToldTime }>();
  constructor(private readonly max = 2000) {}

  /** Records and returns the time to tell for `key`'s new answer. */
  tell(key: string, fresh: ToldTime): ToldTime {
    const before = this.files.get(key);
    const told = steadyTime(fresh, before?.last, before?.told);
    this.files.delete(key);
    this.files.set(key, { last: fresh, told });
    if (this.files.size > this.max) this.files.delete(this.files.keys().next().value!);
    return told;
  }
}
