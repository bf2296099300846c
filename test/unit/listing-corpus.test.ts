/**
 * The listing corpus (test/fixtures/listings/corpus*.ts, the project's per-format cases, and the
 * listings captured from the five real servers and from GNU ls in 37 locales): every line is read
 * (or refused) and compared field by field with what it must give. Prints a table per format —
 * lines, correct, wrong, missed, refused as they must be, false accepts — and fails unless every
 * field is right on at least 98 % of the Unix, DOS/IIS and MLSD lines and 90 % of the others, with
 * no false accept at all.
 */
import { isoTime } from '../fixtures/listings/cases';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileEntry, ListingFormat, parseListing } from '../../src/ftp/listing';
import { FIXTURE_DIR, LineCase, NOW, BadLineCase } from '../fixtures/listings/cases';
import { CorpusExpect, CorpusLine, Family, MAIN_FAMILIES, Precision } from '../fixtures/listings/corpus';
import { unixCorpus, unixRefused } from '../fixtures/listings/corpus-unix';
import { dosCorpus, dosRefused } from '../fixtures/listings/corpus-dos';
import { mlsdCorpus, mlsdRefused } from '../fixtures/listings/corpus-mlsd';
import {
  as400Corpus, eplfCorpus, formatsRefused, mvsCorpus, netwareCorpus, nlstCorpus, os2Corpus, otherCorpus, vmsCorpus, zvmCorpus,
} from '../fixtures/listings/corpus-formats';
import { unixBadLines, unixCases } from '../fixtures/listings/unix-cases';
import { dosBadLines, dosCases } from '../fixtures/listings/dos-cases';
import { mlsxBadLines, mlsxCases } from '../fixtures/listings/mlsx-cases';
import type { Manifest, ManifestEntry } from '../fixtures/listings/capture-varied';
import type { LsManifest } from '../fixtures/listings/capture-gnu-ls';

type Result = 'correct' | 'wrong' | 'missed' | 'refused' | 'false accept';

interface Outcome {
  family: Family;
  result: Result;
  line: string;
  detail?: string;
}

/** The project's per-format cases, as corpus lines (their other fields are checked by the per-format tests). */
function fromCases(family: Family, cases: LineCase[], format: ListingFormat): CorpusLine[] {
  return cases.map((c) => {
    const expect: CorpusExpect = { name: c.expect.name, type: c.expect.type };
    if (c.expect.size !== undefined) expect.size = c.expect.size;
    if (c.expect.sizeApproximate) expect.approximate = true;
    if (c.expect.linkTarget !== undefined) expect.linkTarget = c.expect.linkTarget;
    if (c.expect.modified !== undefined) {
      expect.modified = c.expect.modified;
      expect.precision = c.expect.modifiedPrecision;
    }
    return { family, line: c.line, format, context: { now: new Date(c.now ?? NOW), serverTimeZoneOffsetMinutes: c.offset }, expect, source: 'per-format cases' };
  });
}

function fromBad(family: Family, cases: BadLineCase[], format: ListingFormat): CorpusLine[] {
  return cases.map((c) => ({ family, line: c.line, format, context: { now: new Date(NOW) }, refuse: c.title, source: 'per-format bad cases' }));
}

/** What differs between an entry and what it must be; undefined when every asserted field is right. */
function difference(e: FileEntry, want: CorpusExpect): string | undefined {
  const problems: string[] = [];
  if (e.name !== want.name) problems.push(`name ${JSON.stringify(e.name)} != ${JSON.stringify(want.name)}`);
  if (e.type !== want.type) problems.push(`type ${e.type} != ${want.type}`);
  if (want.approximate) {
    if (e.size === undefined || !e.sizeApproximate || Math.abs(e.size - want.size!) > want.size! * 0.1) problems.push(`size ${e.size} (approximate: ${e.sizeApproximate}) !~ ${want.size}`);
  } else if (e.size !== want.size || e.sizeApproximate) problems.push(`size ${e.size}${e.sizeApproximate ? ' (approximate)' : ''} != ${want.size}`);
  if (e.linkTarget !== want.linkTarget) problems.push(`linkTarget ${e.linkTarget} != ${want.linkTarget}`);
  const modified = isoTime(e.modified);
  if (modified !== want.modified) problems.push(`modified ${modified} != ${want.modified}`);
  if (e.modifiedPrecision !== want.precision) problems.push(`precision ${e.modifiedPrecision} != ${want.precision}`);
  return problems.length ? problems.join('; ') : undefined;
}

function check(c: CorpusLine): Outcome {
  const r = parseListing(c.line, c.format, c.context);
  if (c.refuse !== undefined) {
    return r.entries.length === 0
      ? { family: c.family, result: 'refused', line: c.line }
      : { family: c.family, result: 'false accept', line: c.line, detail: `${c.refuse}; read as ${JSON.stringify(r.entries[0])}` };
  }
  if (r.entries.length !== 1) {
    return { family: c.family, result: 'missed', line: c.line, detail: r.unparsed.map((u) => u.reason).join('; ') || `${r.entries.length} entries` };
  }
  const diff = difference(r.entries[0], c.expect!);
  return diff ? { family: c.family, result: 'wrong', line: c.line, detail: diff } : { family: c.family, result: 'correct', line: c.line };
}

// --- captured listings -----------------------------------------------------------------------

const CAPTURED = path.join(FIXTURE_DIR, 'captured');

function truncate(iso: string, precision: Precision, fraction = false): string {
  const d = new Date(iso);
  if (precision === 'second' && !fraction) d.setUTCMilliseconds(0);
  if (precision === 'minute') d.setUTCSeconds(0, 0);
  if (precision === 'day') d.setUTCHours(0, 0, 0, 0);
  return d.toISOString();
}

/** The precision a LIST line prints its date to (and whether with a fraction of a second), read from the text before the name. */
function linePrecision(before: string): { precision: Precision; fraction: boolean } {
  const time = /(?:^|\s)\d{1,2}[:.]\d{2}(?:[:.]\d{2}(\.\d+)?)?(?=\s)/.exec(before);
  if (!time) return { precision: 'day', fraction: false };
  return { precision: /\d[:.]\d{2}[:.]\d{2}/.test(time[0]) ? 'second' : 'minute', fraction: time[1] !== undefined };
}

/** The manifest entry a line describes: the longest name the line ends with (LIST), after "; " (MLSD), or equal (NLST). */
function describedEntry(line: string, format: ListingFormat, entries: ManifestEntry[]): ManifestEntry | undefined {
  let best: ManifestEntry | undefined;
  for (const e of entries) {
    const ends =
      format === 'nlst'
        ? line === e.name
        : format === 'mlsd'
          ? line.endsWith(`; ${e.name}`)
          : line.endsWith(` ${e.name}`) || (e.linkTarget !== undefined && line.endsWith(` ${e.name} -> ${e.linkTarget}`));
    if (ends && (!best || e.name.length > best.name.length)) best = e;
  }
  return best;
}

interface Quirks {
  /** The server reports a symlink as what it points to. */
  followsLinks?: boolean;
  /** How a fifo or a device is typed: MLSD type=file, type=unknown; ls `-` (ftp-srv). */
  specialsAs?: 'file' | 'unknown';
  /** MLSD without a size fact for directories. */
  noDirectorySize?: boolean;
}

const SERVER_QUIRKS: Record<string, Partial<Record<'list' | 'mlsd', Quirks>>> = {
  vsftpd: {},
  proftpd: { mlsd: { specialsAs: 'file', noDirectorySize: true } },
  pureftpd: { mlsd: { specialsAs: 'unknown' } },
  pyftpdlib: { mlsd: { followsLinks: true, specialsAs: 'file' } },
  ftpsrv: { list: { followsLinks: true, specialsAs: 'file' } },
};

const SPECIALS = new Set(['fifo', 'null-dev']);

/** What a captured line must give, from the manifest and the server's documented quirks. */
function capturedExpect(line: string, format: ListingFormat, m: ManifestEntry, all: ManifestEntry[], quirks: Quirks, capturedLines: string[]): CorpusExpect {
  let target = m;
  if (m.type === 'symlink' && quirks.followsLinks) target = all.find((e) => e.name === m.linkTarget) ?? m;
  const expect: CorpusExpect = { name: m.name, type: target.type };
  if (target.size !== undefined) expect.size = target.size;
  if (SPECIALS.has(m.name) && format !== 'nlst') {
    expect.type = format === 'list' && !quirks.specialsAs ? 'unknown' : quirks.specialsAs ?? 'unknown';
  }
  if (m.type === 'symlink' && !quirks.followsLinks) {
    if (format === 'list') expect.linkTarget = m.linkTarget;
    else {
      // MLSD: a target only when the listing gives it (slink:target) or lists it under the same unique fact.
      const unique = /unique=([^;]+);/.exec(line)?.[1];
      const twin = unique && capturedLines.find((l) => l !== line && l.includes(`unique=${unique};`) && !/type=OS\.unix=s(?:ym)?link/i.test(l));
      if (twin) expect.linkTarget = twin.slice(twin.indexOf('; ') + 2);
    }
  }
  if (format === 'mlsd' && target.type === 'directory' && quirks.noDirectorySize) delete expect.size;
  if (format === 'nlst') {
    expect.type = 'unknown';
    delete expect.size;
    return expect;
  }
  const printed = format === 'mlsd' ? { precision: 'second' as const, fraction: false } : linePrecision(line.slice(0, line.lastIndexOf(` ${m.name}`) + 1));
  expect.modified = truncate(target.mtime, printed.precision, printed.fraction);
  expect.precision = printed.precision;
  return expect;
}

/**
 * The 220 greetings of the servers the listings were captured from, as they greet here: the
 * listing context the engine has (it decides the year of a future date printed without one).
 */
const GREETINGS: Record<string, string> = {
  vsftpd: '(vsFTPd 3.0.3)',
  proftpd: 'ProFTPD Server (FTP Workspace test proftpd) [127.0.0.1]',
  pureftpd: '---------- Welcome to Pure-FTPd [privsep] [TLS] ----------',
  pyftpdlib: 'pyftpdlib test server ready',
};

function capturedOutcomes(family: Family, file: string, format: ListingFormat, manifest: ManifestEntry[], now: string, quirks: Quirks, approximate: Set<string> = new Set(), greeting?: string): Outcome[] {
  const text = fs.readFileSync(file, 'utf8');
  const result = parseListing(text, format, { now: new Date(now), greeting });
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const outcomes: Outcome[] = [];
  for (const line of lines) {
    const m = describedEntry(line, format, manifest);
    if (!m) continue; // ., .., total: not entries
    const source = `${path.basename(path.dirname(file))}/${path.basename(file)}`;
    const entry = result.entries.find((e) => e.name === m.name);
    if (m.name.includes('\\')) {
      outcomes.push(entry ? { family, result: 'false accept', line, detail: `${source}: a name with a backslash` } : { family, result: 'refused', line });
      continue;
    }
    const want = capturedExpect(line, format, m, manifest, quirks, lines);
    if (approximate.has(m.name)) want.approximate = true;
    if (!entry) {
      outcomes.push({ family, result: 'missed', line, detail: `${source}: ${result.unparsed.find((u) => u.line === line)?.reason ?? 'no entry'}` });
      continue;
    }
    const diff = difference(entry, want);
    outcomes.push(diff ? { family, result: 'wrong', line, detail: `${source}: ${diff}` } : { family, result: 'correct', line });
  }
  return outcomes;
}

function allCaptured(): Outcome[] {
  const outcomes: Outcome[] = [];
  const varied = path.join(CAPTURED, 'varied');
  const manifest = JSON.parse(fs.readFileSync(path.join(varied, 'manifest.json'), 'utf8')) as Manifest;
  for (const [server, { entries }] of Object.entries(manifest.servers)) {
    const listFile = ['list-a', 'list'].map((s) => path.join(varied, `${server}.${s}.txt`)).find((f) => fs.existsSync(f))!;
    outcomes.push(...capturedOutcomes('Unix', listFile, 'list', entries, manifest.capturedAt, SERVER_QUIRKS[server].list ?? {}, undefined, GREETINGS[server]));
    const mlsd = path.join(varied, `${server}.mlsd.txt`);
    if (fs.existsSync(mlsd)) outcomes.push(...capturedOutcomes('MLSD', mlsd, 'mlsd', entries, manifest.capturedAt, SERVER_QUIRKS[server].mlsd ?? {}, undefined, GREETINGS[server]));
    const nlst = path.join(varied, `${server}.nlst.txt`);
    if (fs.existsSync(nlst)) outcomes.push(...capturedOutcomes('NLST', nlst, 'nlst', entries, manifest.capturedAt, {}));
  }
  const gnu = path.join(CAPTURED, 'gnu-ls');
  const ls = JSON.parse(fs.readFileSync(path.join(gnu, 'manifest.json'), 'utf8')) as LsManifest;
  for (const file of fs.readdirSync(gnu).filter((f) => f.endsWith('.txt')).sort()) {
    // ls -lh prints sizes of 1024 and more with a unit (rounded up): only those are estimates.
    const approximate = file === 'human.txt' ? new Set(['big.bin', 'recent.txt', 'leap dir']) : undefined;
    outcomes.push(...capturedOutcomes('Unix', path.join(gnu, file), 'list', ls.entries, ls.capturedAt, {}, approximate));
  }
  return outcomes;
}

// --- the table -------------------------------------------------------------------------------

const FAMILIES: Family[] = ['Unix', 'DOS/IIS', 'MLSD', 'EPLF', 'NetWare', 'VMS', 'OS/2', 'AS/400', 'MVS', 'z/VM', 'Other', 'NLST'];

test('listing corpus: every format read field by field, impossible lines refused', () => {
  const corpus: CorpusLine[] = [
    ...fromCases('Unix', unixCases.filter((c) => !c.line.includes('[')), 'list'),
    ...fromCases('NetWare', unixCases.filter((c) => c.line.includes('[')), 'list'),
    ...fromCases('DOS/IIS', dosCases, 'list'),
    ...fromCases('MLSD', mlsxCases, 'mlsd').filter((c) => !/type=(?:cdir|pdir)/i.test(c.line)),
    ...fromBad('Unix', unixBadLines, 'list'),
    ...fromBad('DOS/IIS', dosBadLines, 'list'),
    ...fromBad('MLSD', mlsxBadLines, 'mlsd'),
    ...unixCorpus, ...unixRefused, ...dosCorpus, ...dosRefused, ...mlsdCorpus, ...mlsdRefused,
    ...eplfCorpus, ...netwareCorpus, ...vmsCorpus, ...os2Corpus, ...as400Corpus, ...mvsCorpus, ...zvmCorpus, ...otherCorpus, ...nlstCorpus,
    ...formatsRefused,
  ];
  const outcomes = [...corpus.map(check), ...allCaptured()];

  const rows: string[] = [
    '| format | lines | to read | correct | wrong | missed | to refuse | refused | false accepts | correct % |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const failures: string[] = [];
  const count = (list: Outcome[], r: Result) => list.filter((o) => o.result === r).length;
  let total = 0;
  let refuseTotal = 0;
  for (const family of FAMILIES) {
    const mine = outcomes.filter((o) => o.family === family);
    const toRead = mine.filter((o) => o.result === 'correct' || o.result === 'wrong' || o.result === 'missed').length;
    const toRefuse = mine.length - toRead;
    const correct = count(mine, 'correct');
    const share = toRead === 0 ? 100 : (100 * correct) / toRead;
    total += mine.length;
    refuseTotal += toRefuse;
    rows.push(`| ${family} | ${mine.length} | ${toRead} | ${correct} | ${count(mine, 'wrong')} | ${count(mine, 'missed')} | ${toRefuse} | ${count(mine, 'refused')} | ${count(mine, 'false accept')} | ${share.toFixed(1)} |`);
    const goal = MAIN_FAMILIES.includes(family) ? 98 : 90;
    if (share < goal) failures.push(`${family}: ${share.toFixed(1)} % of lines fully right, goal ${goal} %`);
    if (toRead === 0) failures.push(`${family}: no lines to read`);
  }
  rows.push(`| all | ${total} | ${total - refuseTotal} | ${count(outcomes, 'correct')} | ${count(outcomes, 'wrong')} | ${count(outcomes, 'missed')} | ${refuseTotal} | ${count(outcomes, 'refused')} | ${count(outcomes, 'false accept')} | ${((100 * count(outcomes, 'correct')) / (total - refuseTotal)).toFixed(1)} |`);
  console.log(`\nListing corpus\n\n${rows.join('\n')}\n`);
  const notable = outcomes.filter((o) => o.result === 'wrong' || o.result === 'missed' || o.result === 'false accept');
  for (const o of notable) console.log(`${o.result.toUpperCase()} [${o.family}] ${JSON.stringify(o.line)}\n    ${o.detail}`);

  const falseAccepts = count(outcomes, 'false accept');
  if (falseAccepts > 0) failures.push(`${falseAccepts} false accepts`);
  assert.ok(total - refuseTotal >= 400, `at least 400 lines to read (${total - refuseTotal})`);
  assert.ok(refuseTotal >= 50, `at least 50 lines to refuse (${refuseTotal})`);
  assert.deepEqual(failures, []);
});
