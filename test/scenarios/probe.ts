/**
 * The engine as a client inside a namespace: `ip netns exec <client-ns> node out/test/scenarios/probe.js '<json>'`.
 * For each run it downloads a file twice with a fresh ModeMemory (the second download shows what
 * the memory settled on), then optionally runs the doctor; prints one JSON ProbeOutput on stdout.
 */
import { ConnectOptions, DataFailure, DataMethod, DoctorReport, FtpClient, FtpError, ModeMemory, TransferMode, diagnose } from '../../src/ftp';

export interface ProbeRun {
  label: string;
  transferMode: TransferMode;
  /** Merged over ProbeInput.connect for this run. */
  options?: Partial<ConnectOptions>;
  /** Path of a file to download (twice). */
  path: string;
}

export interface ProbeInput {
  connect: ConnectOptions;
  runs: ProbeRun[];
  doctor?: { options?: Partial<ConnectOptions>; stepTimeoutMs?: number };
}

export interface ProbeError {
  kind: string;
  message: string;
  dataFailure?: DataFailure;
  method?: string;
  attempts?: Array<{ method: string; failure?: DataFailure; code?: number }>;
}

export interface ProbeRunResult {
  label: string;
  ok: boolean;
  /** Contents of each download that worked. */
  contents: string[];
  error?: ProbeError;
  /** ModeMemory after the run. */
  working?: DataMethod;
  refused: DataMethod[];
  history: Array<{ method: DataMethod; ok: boolean; failure?: DataFailure }>;
  fallbacks: Array<{ method: DataMethod; failed: Array<{ method: DataMethod; failure?: DataFailure; message?: string }> }>;
  /** The data commands each download sent (EPSV/PASV/EPRT/PORT), in order. */
  dataCommands: string[][];
  /** The engine's info log lines (e.g. the PASV address it did not trust). */
  info: string[];
  ms: number;
}

export interface ProbeOutput {
  runs: ProbeRunResult[];
  doctor?: DoctorReport;
}

function describe(e: unknown): ProbeError {
  if (e instanceof FtpError) {
    return { kind: e.kind, message: e.message, dataFailure: e.dataFailure, method: e.method, attempts: e.attempts?.map((a) => ({ method: a.method, failure: a.failure, code: a.code })) };
  }
  return { kind: 'other', message: e instanceof Error ? e.message : String(e) };
}

async function probeRun(input: ProbeInput, run: ProbeRun): Promise<ProbeRunResult> {
  const started = Date.now();
  const memory = new ModeMemory();
  const fallbacks: ProbeRunResult['fallbacks'] = [];
  memory.onFallback((e) => fallbacks.push({ method: e.method, failed: e.failed.map((f) => ({ method: f.method, failure: f.failure, message: f.message })) }));
  const info: string[] = [];
  const dataCommands: string[][] = [];
  let current: string[] = [];
  const options: ConnectOptions = {
    ...input.connect, ...run.options, transferMode: run.transferMode, modeMemory: memory,
    log: (e) => {
      if (e.kind === 'command' && /^(EPSV|PASV|EPRT|PORT)\b/.test(e.text)) current.push(e.text);
      if (e.kind === 'info') info.push(e.text);
    },
  };
  const contents: string[] = [];
  let error: ProbeError | undefined;
  let client: FtpClient | undefined;
  try {
    client = await FtpClient.connect(options);
    for (let i = 0; i < 2; i++) {
      current = [];
      dataCommands.push(current);
      contents.push((await client.download(run.path)).toString());
    }
  } catch (e) {
    error = describe(e);
  } finally {
    client?.disconnect();
  }
  return {
    label: run.label, ok: !error, contents, error, working: memory.working, refused: [...memory.refused],
    history: memory.history.map((h) => ({ method: h.method, ok: h.ok, failure: h.failure })), fallbacks, dataCommands, info, ms: Date.now() - started,
  };
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as ProbeInput;
  const output: ProbeOutput = { runs: [] };
  for (const run of input.runs ?? []) output.runs.push(await probeRun(input, run));
  if (input.doctor) {
    output.doctor = await diagnose({ ...input.connect, ...input.doctor.options }, { stepTimeoutMs: input.doctor.stepTimeoutMs });
  }
  process.stdout.write(JSON.stringify(output));
}

if (require.main === module) {
  // A stuck probe must end by itself: the test that runs it waits for its output.
  setTimeout(() => {
    process.stderr.write('probe: gave up after 90 s\n');
    process.exit(3);
  }, 90_000).unref();
  main().then(() => process.exit(0), (e) => {
    process.stderr.write(`probe failed: ${(e as Error).stack ?? e}\n`);
    process.exit(2);
  });
}
