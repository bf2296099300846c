/**
 * Round trips per VS Code operation, counted from the engine's log: the commands the real provider
 * sends (src/fs/provider.ts through site.ts) and its data connections, logins not counted. Used by
 * `npm run bench` (printed next to the goals of issue 11) and by test/integration/round-trips.test.ts
 * (asserted, exactly).
 *
 * Fixture, made by `makeFixture` in the server's root: /rt/file.txt (mode 0644, 1000 bytes, so a
 * save's SITE CHMOD is not needed to keep its mode: servers create files 0644 with umask 022) and
 * the folder /rt/sub. Each operation runs on a new site (a new provider: empty listing cache; a new
 * pool) whose connection is logged in first (a NOOP, not counted) and stands in its home folder /.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchSite, RoundTrips, SiteSpec, openSite } from './site';

export const RT_DIR = '/rt';
export const RT_FILE = '/rt/file.txt';
export const RT_SUB = '/rt/sub';
export const RT_CONTENT = Buffer.from('x'.repeat(999) + '\n');

/** Creates the fixture under `root`, owned by `owner` (the uid the server writes as). */
export function makeFixture(root: string, owner: { uid: number; gid: number }): void {
  const dir = path.join(root, 'rt');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'file.txt'), RT_CONTENT, { mode: 0o644 });
  fs.chmodSync(path.join(dir, 'file.txt'), 0o644);
  for (const p of [dir, path.join(dir, 'sub'), path.join(dir, 'file.txt')]) fs.chownSync(p, owner.uid, owner.gid);
}

export interface Operation {
  id: string;
  /** What VS Code does, as provider calls. */
  label: string;
  /** Issue 11's goal for it: [commands, data connections], or a sentence. */
  goal: (mlst: boolean) => string;
  /** Untimed, uncounted preparation (a listing the Explorer made before). */
  before?: (s: BenchSite) => Promise<unknown>;
  run: (s: BenchSite) => Promise<unknown>;
}

const save = (s: BenchSite) => s.provider.writeFile(s.uri(RT_FILE), RT_CONTENT, { create: true, overwrite: true });
const listDir = (s: BenchSite) => s.provider.readDirectory(s.uri(RT_DIR));

export const OPERATIONS: Operation[] = [
  {
    id: 'stat-listed-file', label: 'stat of a file just listed (readDirectory of its folder before)',
    goal: () => '0 + 0', before: listDir, run: (s) => s.provider.stat(s.uri(RT_FILE)),
  },
  {
    id: 'stat-listed-folder', label: 'stat of a folder just listed',
    goal: () => '0 + 0', before: listDir, run: (s) => s.provider.stat(s.uri(RT_SUB)),
  },
  {
    id: 'stat-file', label: 'stat of a file not listed',
    goal: (mlst) => (mlst ? '1 + 0 (MLST)' : '2 + 0 (no MLST)'), run: (s) => s.provider.stat(s.uri(RT_FILE)),
  },
  {
    id: 'stat-folder', label: 'stat of a folder not listed',
    goal: (mlst) => (mlst ? '1 + 0 (MLST)' : '2 + 0 (no MLST)'), run: (s) => s.provider.stat(s.uri(RT_SUB)),
  },
  {
    id: 'read-directory', label: 'readDirectory of a folder (the connection stands elsewhere)',
    goal: () => '2 + 1', run: listDir,
  },
  {
    id: 'read-file', label: 'readFile of a file just listed',
    goal: () => '2 + 1', before: listDir, run: (s) => s.provider.readFile(s.uri(RT_FILE)),
  },
  {
    id: 'open', label: 'open a file just listed (VS Code: stat, readFile)',
    goal: () => '2 + 1 (stat 0, readFile 2 + 1)', before: listDir,
    run: async (s) => {
      await s.provider.stat(s.uri(RT_FILE));
      return s.provider.readFile(s.uri(RT_FILE));
    },
  },
  {
    id: 'write-file', label: 'writeFile of an existing file listed before (the save itself)',
    goal: () => '<= 4 + 1 (5 + 1 if the mode needs SITE CHMOD)', before: listDir, run: save,
  },
  {
    id: 'upload-new-file', label: "uploadFile of a new file, its folder listed before (Upload's call per file)",
    goal: () => '<= 4 + 1 (as a save)', before: listDir,
    run: async (s) => {
      const local = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-rt-')), 'new.txt');
      fs.writeFileSync(local, RT_CONTENT);
      try {
        // 'absent': the command stat'ed it just before, as Upload does for a file the listing doesn't show.
        return await s.provider.uploadFile(s.uri(`${RT_DIR}/new-${process.pid}-${Math.random().toString(36).slice(2)}.txt`), local, {}, 'absent');
      } finally {
        fs.rmSync(path.dirname(local), { recursive: true, force: true });
      }
    },
  },
  {
    // VS Code 1.9x, measured in the extension host: the Explorer's check, createFile's and
    // writeFile's stat of the new path, writeFile's stat of its folder, the write, the stat that
    // resolves it, and the editor's read.
    id: 'create-file', label: "create a file as VS Code's New File does (stat 3 times, stat of its folder, writeFile, stat, readFile)",
    goal: () => 'no goal stated (stat 1 or 2, the folder\'s stat, the save, stat 0, readFile)', before: listDir,
    run: async (s) => {
      const uri = s.uri(`${RT_DIR}/created-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
      for (let i = 0; i < 3; i++) await s.provider.stat(uri).then(() => assert.fail('the new file exists'), (e: Error & { code?: string }) => { if (e.code !== 'FileNotFound') throw e; });
      await s.provider.stat(s.uri(RT_DIR));
      await s.provider.writeFile(uri, new Uint8Array(), { create: true, overwrite: true });
      await s.provider.stat(uri);
      return s.provider.readFile(uri);
    },
  },
  {
    id: 'save', label: 'save as VS Code does it (stat, writeFile, stat)',
    goal: () => 'no goal stated (stat 0 + the save + stat 0)', before: listDir,
    run: async (s) => {
      await s.provider.stat(s.uri(RT_FILE));
      await save(s);
      return s.provider.stat(s.uri(RT_FILE));
    },
  },
];

/** Runs one operation on a new site; returns what it sent. */
export async function countOperation(spec: SiteSpec, op: Operation): Promise<RoundTrips> {
  const site = openSite(spec);
  try {
    await site.pool.run((c) => c.noop()); // log in; not counted
    await op.before?.(site);
    const { trips } = await site.count(() => op.run(site));
    return trips;
  } finally {
    await site.close();
  }
}

/** "CWD /rt/file.txt" -> "CWD", "+RNTO /x" -> "+RNTO": the commands of an operation without their arguments. */
export function commandNames(trips: RoundTrips): string[] {
  return trips.commands.map((c) => (/^(SITE|OPTS) /.test(c) ? c.split(' ').slice(0, 2).join(' ') : c.split(' ')[0]));
}
