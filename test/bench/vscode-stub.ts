/**
 * A small `vscode` module for running the real FtpFileSystemProvider (src/fs/provider.ts) and the
 * Upload/Download commands (src/ui/transfer-commands.ts) in plain Node, so the bench and the
 * round-trip test count what the extension itself sends, not a copy of its call sequence.
 *
 * Importing this file installs it: `require('vscode')` resolves to it from then on. Import it
 * before anything that imports vscode. What it provides:
 * - the values the provider and the transfer commands use: Uri (parse, file, joinPath, toString),
 *   FileType, FileChangeType, FileSystemError (with VS Code's codes), EventEmitter, Disposable,
 *   ProgressLocation, CancellationError, FileDecoration (the Explorer's hover, decorations.ts);
 * - window: withProgress runs the task at once (a progress that reports nowhere, never cancelled);
 *   messages resolve to undefined (no button pressed); setStatusBarMessage does nothing;
 * - workspace.fs routed to a provider (`routeWorkspaceFs`), as VS Code's FileService does it:
 *   stat, readDirectory, and createDirectory as FileService.mkdirp does it (stat upwards until a
 *   folder exists, then createDirectory downwards);
 * - every other name of the API (activation touches much more) is an inert object that accepts
 *   any call, so `activate()` can run for the start-up figure; nothing it registers does anything.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as nodePath from 'node:path';

export enum FileType { Unknown = 0, File = 1, Directory = 2, SymbolicLink = 64 }
export enum FileChangeType { Changed = 1, Created = 2, Deleted = 3 }
export enum ProgressLocation { SourceControl = 1, Window = 10, Notification = 15 }

export class Uri {
  private constructor(readonly scheme: string, readonly authority: string, readonly path: string, readonly query = '', readonly fragment = '') {}

  static parse(value: string): Uri {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
    if (!m) throw new Error(`not a URI: ${value}`);
    return new Uri(m[1].toLowerCase(), m[2] ?? '', decodeURIComponent(m[3] || '/'), m[4] ?? '', m[5] ?? '');
  }

  static file(fsPath: string): Uri {
    return new Uri('file', '', fsPath);
  }

  /** Like VS Code's: segments joined to the path and normalised (`..` goes up, never above /). */
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, base.authority, nodePath.posix.join(base.path || '/', ...segments), base.query, base.fragment);
  }

  get fsPath(): string {
    return this.path;
  }

  with(change: { scheme?: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
  }

  /** VS Code's Uri keeps its encoded form once made, as this does. */
  private formatted?: string;

  toString(skipEncoding = false): string {
    if (!skipEncoding) return (this.formatted ??= this.format(false));
    return this.format(true);
  }

  private format(skipEncoding: boolean): string {
    const p = skipEncoding ? this.path : this.path.split('/').map(encodeURIComponent).join('/');
    return `${this.scheme}://${this.authority}${p}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export class FileSystemError extends Error {
  constructor(messageOrUri?: string | Uri, readonly code = 'Unknown') {
    super(typeof messageOrUri === 'string' ? messageOrUri : messageOrUri ? messageOrUri.toString(true) : code);
    this.name = `${code} (FileSystemError)`;
  }
  static FileNotFound(m?: string | Uri): FileSystemError { return new FileSystemError(m, 'FileNotFound'); }
  static FileExists(m?: string | Uri): FileSystemError { return new FileSystemError(m, 'FileExists'); }
  static FileNotADirectory(m?: string | Uri): FileSystemError { return new FileSystemError(m, 'FileNotADirectory'); }
  static FileIsADirectory(m?: string | Uri): FileSystemError { return new FileSystemError(m, 'FileIsADirectory'); }
  static NoPermissions(m?: string | Uri): FileSystemError { return new FileSystemError(m, 'NoPermissions'); }
  static Unavailable(m?: string | Uri): FileSystemError { return new FileSystemError(m, 'Unavailable'); }
}

export class CancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

export class Disposable {
  constructor(private readonly fn: () => unknown = () => undefined) {}
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<(e: T) => unknown>();
  readonly event = (listener: (e: T) => unknown): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class FileDecoration {
  propagate?: boolean;
  constructor(readonly badge?: string, readonly tooltip?: string) {}
}

/** An object that accepts anything: every property is another one, every call returns one. */
export function inert(name: string): unknown {
  const target = function () {};
  const assigned = new Map<string | symbol, unknown>();
  return new Proxy(target, {
    get(_t, p) {
      if (assigned.has(p)) return assigned.get(p);
      if (p === 'then') return undefined; // not a promise
      if (p === Symbol.toPrimitive) return () => name;
      if (p === Symbol.iterator) return function* () {};
      if (p === 'dispose') return () => undefined;
      return inert(`${name}.${String(p)}`);
    },
    set(_t, p, v) {
      assigned.set(p, v);
      return true;
    },
    apply: () => inert(`${name}()`),
    construct: () => inert(`new ${name}`) as object,
  });
}

/** `members`, and an inert object for any other property (activation reaches for many). */
function inertRest<T extends object>(name: string, members: T): T {
  return new Proxy(members, { get: (t, p) => (p in t ? (t as Record<string | symbol, unknown>)[p] : inert(`${name}.${String(p)}`)) });
}

/** The part of a FileSystemProvider that workspace.fs needs here. */
interface FsProvider {
  stat(uri: Uri): Promise<{ type: FileType }>;
  readDirectory(uri: Uri): Promise<Array<[string, FileType]>>;
  createDirectory(uri: Uri): Promise<void>;
  readFile(uri: Uri): Promise<Uint8Array>;
  writeFile(uri: Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void>;
  delete(uri: Uri, options: { recursive: boolean }): Promise<void>;
}

/** Settings as a settings.json would hold them, by `section.key` (setStubSetting); any other reads as its default. */
const settings = new Map<string, unknown>();

export function setStubSetting(section: string, key: string, value: unknown): void {
  settings.set(`${section}.${key}`, value);
}

let routed: FsProvider | undefined;

/** workspace.fs calls go to this provider from now on (one provider at a time). */
export function routeWorkspaceFs(provider: FsProvider | undefined): void {
  routed = provider;
}

function provider(): FsProvider {
  if (!routed) throw new Error('vscode stub: workspace.fs is not routed to a provider (routeWorkspaceFs)');
  return routed;
}

const isNotFound = (e: unknown) => e instanceof FileSystemError && e.code === 'FileNotFound';

export const workspace = inertRest('vscode.workspace', {
  workspaceFolders: undefined,
  fs: {
    stat: (uri: Uri) => provider().stat(uri),
    readDirectory: (uri: Uri) => provider().readDirectory(uri),
    readFile: (uri: Uri) => provider().readFile(uri),
    writeFile: (uri: Uri, content: Uint8Array) => provider().writeFile(uri, content, { create: true, overwrite: true }),
    delete: (uri: Uri, options?: { recursive?: boolean }) => provider().delete(uri, { recursive: !!options?.recursive }),
    /** FileService.mkdirp: stat upwards until something exists (a folder, else an error), then create downwards. */
    async createDirectory(uri: Uri): Promise<void> {
      const missing: Uri[] = [];
      for (let u = uri; ; u = Uri.joinPath(u, '..')) {
        try {
          const st = await provider().stat(u);
          if (!(st.type & FileType.Directory)) throw FileSystemError.FileNotADirectory(u);
          break;
        } catch (e) {
          if (!isNotFound(e) || u.path === '/') throw e;
          missing.push(u);
        }
      }
      for (const u of missing.reverse()) await provider().createDirectory(u);
    },
  },
  getConfiguration: (section?: string) => ({
    get: <T>(k: string, d?: T) => (settings.has(`${section}.${k}`) ? (settings.get(`${section}.${k}`) as T) : d),
    has: (k: string) => settings.has(`${section}.${k}`), inspect: () => undefined, update: async () => undefined,
  }),
  onDidChangeConfiguration: () => new Disposable(),
  onDidChangeWorkspaceFolders: () => new Disposable(),
  registerFileSystemProvider: () => new Disposable(),
});

const noAnswer = async () => undefined;
const logChannel = () => ({
  name: 'FTP Workspace', logLevel: 2, onDidChangeLogLevel: () => new Disposable(),
  trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined,
  append: () => undefined, appendLine: () => undefined, replace: () => undefined, clear: () => undefined, show: () => undefined, hide: () => undefined, dispose: () => undefined,
});

export const window = inertRest('vscode.window', {
  activeTextEditor: undefined,
  state: { focused: true, active: true },
  withProgress: <R>(_o: unknown, task: (progress: { report(p: unknown): void }, token: { isCancellationRequested: boolean; onCancellationRequested(l: () => void): Disposable }) => Thenable<R>): Thenable<R> =>
    task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => new Disposable() }),
  showWarningMessage: noAnswer,
  showErrorMessage: noAnswer,
  showInformationMessage: noAnswer,
  showInputBox: noAnswer,
  showQuickPick: noAnswer,
  showOpenDialog: noAnswer,
  showSaveDialog: noAnswer,
  showWorkspaceFolderPick: noAnswer,
  setStatusBarMessage: () => new Disposable(),
  createOutputChannel: logChannel,
});

const known: Record<string, unknown> = {
  FileType, FileChangeType, ProgressLocation, Uri, FileSystemError, CancellationError, Disposable, EventEmitter, FileDecoration, workspace, window, version: '1.100.0',
};

/**
 * Every other top-level name of the real API (from @types/vscode) is an inert object, so that code
 * that copies the module's names (esbuild's and tsc's import helpers) finds them all.
 */
function addInertNames(): void {
  let dts = '';
  try {
    dts = fs.readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  } catch {
    return;
  }
  for (const m of dts.matchAll(/^\texport (?:declare )?(?:class|enum|namespace|const|function|let) (\w+)/gm)) {
    if (!(m[1] in known)) known[m[1]] = inert(`vscode.${m[1]}`);
  }
}
addInertNames();

/** The module `require('vscode')` returns. */
const vscodeModule = known;

const STUB_ID = nodePath.join(__dirname, '__vscode_stub__.js');
const mod = new Module(STUB_ID);
mod.filename = STUB_ID;
mod.loaded = true;
mod.exports = vscodeModule;
const M = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string; _cache: Record<string, Module> };
M._cache[STUB_ID] = mod;
const resolve = M._resolveFilename;
M._resolveFilename = function (request: string, ...rest: unknown[]): string {
  if (request === 'vscode') return STUB_ID;
  return resolve.call(this, request, ...rest);
};
