/** Collects interop results and prints them as tables (also written to test-results/): operations per server, security and method; what each server refuses. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const OPERATIONS = ['mkdir', 'upload', 'list', 'stat', 'download', 'rename', 'delete', 'rmdir'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface MatrixRow {
  server: string;
  security: string;
  method: string;
  results: Partial<Record<Operation, 'ok' | string>>;
}

export const rows: MatrixRow[] = [];

/** What each server offers and refuses beyond the data methods: the probes' outcomes, "yes" or "no (reply)". */
export const PROBES = ['FEAT', 'MLSD', 'MLST', 'MFMT', 'SITE UTIME', 'MDTM <time> <path>', 'setModified', 'SIZE', 'MDTM', 'UTF8', 'active port < 1024'] as const;
export type Probe = (typeof PROBES)[number];
export interface RefusalRow {
  server: string;
  version: string;
  results: Partial<Record<Probe, string>>;
}
export const refusals: RefusalRow[] = [];

export function renderRefusals(): string {
  if (!refusals.length) return '';
  const cell = (v: string | undefined) => (v ?? '-').replace(/\|/g, '\\|').replace(/\s+/g, ' ');
  const head = `| server | ${PROBES.join(' | ')} |`;
  const sep = `|${' --- |'.repeat(1 + PROBES.length)}`;
  const body = refusals.map((r) => `| ${r.server} ${r.version} | ${PROBES.map((p) => cell(r.results[p])).join(' | ')} |`);
  return ['## What each server offers and refuses', '', head, sep, ...body, ''].join('\n');
}

export function renderMatrix(): string {
  const head = `| server | security | method | ${OPERATIONS.join(' | ')} |`;
  const sep = `|${' --- |'.repeat(3 + OPERATIONS.length)}`;
  const body = rows.map((r) => `| ${r.server} | ${r.security} | ${r.method.toUpperCase()} | ${OPERATIONS.map((o) => (r.results[o] === 'ok' ? 'ok' : r.results[o] ? 'FAIL' : '-')).join(' | ')} |`);
  const failures = rows.flatMap((r) => OPERATIONS.filter((o) => r.results[o] && r.results[o] !== 'ok').map((o) => `- ${r.server} ${r.security} ${r.method} ${o}: ${r.results[o]}`));
  const passed = rows.reduce((n, r) => n + OPERATIONS.filter((o) => r.results[o] === 'ok').length, 0);
  const total = rows.reduce((n, r) => n + OPERATIONS.filter((o) => r.results[o]).length, 0);
  return ['## Interop matrix', '', head, sep, ...body, '', `${passed} of ${total} operations passed in ${rows.length} combinations.`, ...(failures.length ? ['', 'Failures:', ...failures] : [])].join('\n') + '\n';
}

export function writeMatrix(): void {
  const text = renderMatrix() + (refusals.length ? `\n${renderRefusals()}` : '');
  const dir = path.join(__dirname, '..', '..', '..', 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'interop-matrix.md'), text);
}
