/**
 * The results of FTP: Find in Files as a read-only `ftp-search:` document in the Search Editor's
 * format, rewritten as results arrive. Matches, file headers and line numbers are highlighted; each
 * result line and file header is a link (Ctrl+click) that opens the file at the match.
 */
import * as vscode from 'vscode';
import { Rendered } from './results-format';

export const RESULTS_SCHEME = 'ftp-search';
export const OPEN_RESULT_COMMAND = 'ftpWorkspace.openSearchResult';
/** The results' language: only so that they show without line numbers, like the Search Editor. */
export const RESULTS_LANGUAGE = 'ftp-search-results';

interface Results {
  uri: vscode.Uri;
  rendered: Rendered;
  /** The searched folders, by the index results carry. */
  folders: vscode.Uri[];
  /** Still being written: kept when the document closes. */
  running: boolean;
  /** A change was announced and the document has not shown it yet. */
  inFlight?: NodeJS.Timeout;
  /** New text arrived while one was in flight. */
  again: boolean;
  /** Times the document showed other text than was given, in a row (bounded re-reads). */
  mismatches: number;
  /** Called when the document shows the latest text. */
  waiters: Array<() => void>;
}

/** How long an announced change may take to reach the document before the next one is sent anyway. */
const CHANGE_TIMEOUT_MS = 2000;

export class ResultsDocuments implements vscode.TextDocumentContentProvider, vscode.DocumentLinkProvider, vscode.DefinitionProvider, vscode.Disposable {
  private readonly results = new Map<string, Results>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private next = 1;
  private readonly decorations = {
    match: vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
      borderColor: new vscode.ThemeColor('editor.findMatchHighlightBorder'),
      borderStyle: 'solid',
      borderWidth: '1px',
    }),
    header: vscode.window.createTextEditorDecorationType({ fontWeight: 'bold' }),
    prefix: vscode.window.createTextEditorDecorationType({ opacity: '0.7' }),
    comment: vscode.window.createTextEditorDecorationType({ color: new vscode.ThemeColor('descriptionForeground') }),
  };
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(RESULTS_SCHEME, this),
      vscode.languages.registerDocumentLinkProvider({ scheme: RESULTS_SCHEME }, this),
      vscode.languages.registerDefinitionProvider({ scheme: RESULTS_SCHEME }, this),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.decorate(e))),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme !== RESULTS_SCHEME) return;
        this.arrived(e.document);
        for (const editor of vscode.window.visibleTextEditors) if (editor.document === e.document) this.decorate(editor);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        // setTextDocumentLanguage "closes" and reopens the document it keeps open: its results stay
        // (a search done by then, e.g. on a listing Go to File kept, would otherwise read "gone").
        if (vscode.workspace.textDocuments.includes(d)) return;
        if (d.uri.scheme === RESULTS_SCHEME && !this.results.get(d.uri.toString())?.running) this.results.delete(d.uri.toString());
      }),
      vscode.commands.registerCommand(OPEN_RESULT_COMMAND, openResult),
      this.emitter,
      ...Object.values(this.decorations),
    ];
  }

  /** A new results document's URI (`ftp-search:/Find "x"?n`); its text comes with `update`. */
  create(title: string, folders: vscode.Uri[]): vscode.Uri {
    const name = title.replace(/[/\\\r\n]/g, ' ').slice(0, 60);
    const uri = vscode.Uri.from({ scheme: RESULTS_SCHEME, path: `/${name}`, query: String(this.next++) });
    const empty = { text: '', results: [], matches: [], prefixes: [], headers: [], comments: [], links: [] };
    this.results.set(uri.toString(), { uri, rendered: empty, folders, running: true, again: false, mismatches: 0, waiters: [] });
    return uri;
  }

  /**
   * New text for a results document. VS Code applies a change as edits it computes against its
   * copy of the text, so changes are sent one at a time, each once the previous one arrived, and
   * a document found showing other text than was given reads it again.
   */
  update(uri: vscode.Uri, rendered: Rendered, running: boolean): void {
    const r = this.results.get(uri.toString());
    if (!r) return;
    r.rendered = rendered;
    r.running = running;
    r.mismatches = 0;
    this.send(r);
  }

  /** Resolves once an open document shows the latest text (at most `timeoutMs` later). */
  shown(uri: vscode.Uri, timeoutMs = 5000): Promise<void> {
    const r = this.results.get(uri.toString());
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!r || !doc || (!r.inFlight && doc.getText() === r.rendered.text)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      r.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private send(r: Results): void {
    if (r.inFlight) {
      r.again = true;
      return;
    }
    r.again = false;
    r.inFlight = setTimeout(() => this.settle(r), CHANGE_TIMEOUT_MS);
    this.emitter.fire(r.uri);
  }

  /** The document changed: the change in flight arrived (or was merged with a later one). */
  private arrived(doc: vscode.TextDocument): void {
    const r = this.results.get(doc.uri.toString());
    if (r?.inFlight) this.settle(r, doc);
  }

  private settle(r: Results, doc?: vscode.TextDocument): void {
    clearTimeout(r.inFlight);
    r.inFlight = undefined;
    doc ??= vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.uri.toString());
    const wrong = !!doc && doc.getText() !== r.rendered.text;
    if (wrong && !r.again) r.mismatches++;
    if (r.again || (wrong && r.mismatches <= 3)) return this.send(r);
    if (!wrong || !doc) r.waiters.splice(0).forEach((w) => w());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.results.get(uri.toString())?.rendered.text ?? 'These search results are gone: run FTP: Find in Files... again.\n';
  }

  provideDocumentLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
    const r = this.results.get(doc.uri.toString());
    if (!r || !this.current(doc, r)) return [];
    return r.rendered.links.map((l) => {
      const file = vscode.Uri.joinPath(r.folders[l.file.root], ...l.file.rel.split('/'));
      const args = [file.toString(), l.match.line, l.match.column, l.match.endColumn];
      const link = new vscode.DocumentLink(new vscode.Range(l.line, l.start, l.line, l.end), vscode.Uri.parse(`command:${OPEN_RESULT_COMMAND}?${encodeURIComponent(JSON.stringify(args))}`));
      link.tooltip = `Open ${l.file.rel} at line ${l.match.line + 1}`;
      return link;
    });
  }

  /** F12 or Ctrl+click anywhere on a result line: the file at the match. */
  provideDefinition(doc: vscode.TextDocument, position: vscode.Position): vscode.DefinitionLink[] {
    const r = this.results.get(doc.uri.toString());
    if (!r || !this.current(doc, r)) return [];
    const hit = r.rendered.results.find((l) => l.line === position.line);
    if (!hit) return [];
    const file = vscode.Uri.joinPath(r.folders[hit.file.root], ...hit.file.rel.split('/'));
    const target = new vscode.Range(hit.match.line, hit.match.column, hit.match.line, hit.match.endColumn);
    return [{ originSelectionRange: new vscode.Range(hit.line, hit.start, hit.line, hit.end), targetUri: file, targetRange: target, targetSelectionRange: target }];
  }

  /** Whether the document shows the text last rendered (the editor may lag behind an update). */
  private current(doc: vscode.TextDocument, r: Results): boolean {
    return doc.getText() === r.rendered.text;
  }

  private decorate(editor: vscode.TextEditor): void {
    if (editor.document.uri.scheme !== RESULTS_SCHEME) return;
    const r = this.results.get(editor.document.uri.toString());
    if (!r || !this.current(editor.document, r)) return;
    const range = (s: { line: number; start: number; end: number }) => new vscode.Range(s.line, s.start, s.line, s.end);
    const whole = (line: number) => editor.document.lineAt(line).range;
    editor.setDecorations(this.decorations.match, r.rendered.matches.map(range));
    editor.setDecorations(this.decorations.prefix, r.rendered.prefixes.map(range));
    editor.setDecorations(this.decorations.header, r.rendered.headers.map(whole));
    editor.setDecorations(this.decorations.comment, r.rendered.comments.map(whole));
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}

/** Opens a result: the file, with the match selected. */
async function openResult(uri: unknown, line: unknown, column: unknown, endColumn: unknown): Promise<void> {
  if (typeof uri !== 'string') return;
  const n = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0);
  const target = vscode.Uri.parse(uri);
  if (target.scheme !== 'ftp' && target.scheme !== 'ftps') return;
  const selection = new vscode.Range(n(line), n(column), n(line), Math.max(n(column), n(endColumn)));
  await vscode.window.showTextDocument(target, { selection });
}
