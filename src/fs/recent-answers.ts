/**
 * What the server said of a path a moment ago: not there, or a folder. Creating a file in VS Code
 * stats its path three times in a few milliseconds (the Explorer's check, createFile's and
 * writeFile's) and its folder once, then the provider's write looks at both again: each a round
 * trip to learn what the first answer said. An answer is kept for ANSWER_MS only (the time VS
 * Code's own steps take, not a cache a remote change could hide behind), and any change we make on
 * any site forgets them all; an answer that was on its way while we changed something is not kept.
 *
 * 'announced': a folder's kept listing answers VS Code's next read of it, once, within
 * ANNOUNCED_MS (`take`): a listing that found files come or go, which we announced (VS Code's
 * Explorer reads the folder again about half a second later), and a poll's listings of the same
 * tick (the expanded folders below it, which it reads again too). The provider decides which.
 */
export const ANSWER_MS = 1_000;
export const ANNOUNCED_MS = 2_000;

const MAX = 200;

export type Answer = 'missing' | 'folder' | 'announced';

export class RecentAnswers {
  private readonly said = new Map<string, { answer: Answer; at: number }>();
  private changes = 0;

  /** `now`: a clock that never steps back (a wall clock set back would keep an answer for hours). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Taken before asking the server, and given to `note` with its answer. */
  get generation(): number {
    return this.changes;
  }

  note(key: string, answer: Answer, generation: number): void {
    if (generation !== this.changes) return;
    this.said.delete(key); // re-inserted last: the oldest go first
    this.said.set(key, { answer, at: this.now() });
    if (this.said.size > MAX) this.said.delete(this.said.keys().next().value!);
  }

  /** The server said so less than ANSWER_MS ago, and we changed nothing since. */
  is(key: string, answer: Answer): boolean {
    const s = this.said.get(key);
    if (!s) return false;
    if (this.now() - s.at >= (s.answer === 'announced' ? ANNOUNCED_MS : ANSWER_MS)) {
      this.said.delete(key);
      return false;
    }
    return s.answer === answer;
  }

  /** `is`, and the answer is used up: it answers once. */
  take(key: string, answer: Answer): boolean {
    const yes = this.is(key, answer);
    if (yes) this.said.delete(key);
    return yes;
  }

  /** We wrote, made, renamed or deleted something: what was said of any path may be out of date. */
  clear(): void {
    this.changes++;
    this.said.clear();
  }
}
