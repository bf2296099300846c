/**
 * Writes to one path run one after another: two saves of one file (auto-save and Ctrl+S, two
 * windows, a script), a rename onto a path being saved, a delete of a file being renamed. Keys are
 * per site and path; an operation on two paths (rename) takes both, in a fixed order, so two
 * renames in opposite directions can't wait on each other.
 */
export class PathLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs fn once every earlier holder of any of `keys` is done. */
  async with<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)].sort();
    const releases: Array<() => void> = [];
    const waits: Promise<void>[] = [];
    for (const key of unique) {
      const before = this.tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = before.then(() => mine);
      this.tails.set(key, tail);
      releases.push(() => {
        release();
        // The last holder of a key removes it, so the map doesn't grow with every path ever written.
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
      waits.push(before);
    }
    await Promise.all(waits);
    try {
      return await fn();
    } finally {
      releases.forEach((r) => r());
    }
  }

  /** Keys held or awaited now (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
