/**
 * FTP: Find in Files...: asks what to find (or takes it as arguments), lists the FTP folders as Go
 * to File does (the same kept listing), downloads the text files under the size cap with the
 * site's connections in parallel, skips binaries, and writes the matches into a results document
 * as they come in. A notification shows progress with Cancel; FTP: Stop Find in Files does the
 * same. Cancel aborts the downloads in flight (ABOR) and stops the listing.
 */
import { Writable } from 'node:stream';
import * as vscode from 'vscode';
import type { Connections } from '../fs/connections';
import { escapeMessage } from '../ui/escape';
import { pathFilter } from './glob';
import { LineMatch, compileQuery } from './matcher';
import { QueryForm, askQuery, patternProblem } from './query-form';
import { RESULTS_LANGUAGE, ResultsDocuments } from './results-document';
import { Counts, FileHits, Limits, RunState, plural, render } from './results-format';
import { FolderArg, SearchRoot, chooseFolders, errorText, folderLabel, openRoot, searchLimits } from './roots';
import { FileSearch, Fetcher, SearchEnd } from './searcher';
import { TreeCache, TreeListing } from './tree-cache';
import { walkTree } from './walk';

export interface FindArgs extends Partial<QueryForm> {
  /** FTP folders to search (URIs); default: the active editor's FTP folder, else the workspace's. */
  folder?: FolderArg;
  /** A site's root, by name. */
  site?: string;
  maxDepth?: number;
  maxEntries?: number;
  /** Bytes; larger files are skipped. */
  maxFileSize?: number;
  /** Stop once this many matches were found (default 20,000). */
  maxResults?: number;
  /** List again even if a listing is kept. */
  fresh?: boolean;
}

export interface FindResult {
  /** The results document. */
  document: string;
  state: RunState['state'];
  counts: Counts;
  unreadable: Array<{ path: string; message: string }>;
  /** Every match line: file URI, line and column (from 0). */
  matches: Array<{ uri: string; line: number; column: number }>;
  ms: number;
}

const DEFAULT_MAX_RESULTS = 20_000;
const RENDER_MS = 300;

export class FindInFiles implements vscode.Disposable {
  private last: QueryForm = { pattern: '', isRegex: false, matchCase: false, wholeWord: false, include: '', exclude: '' };
  private readonly running = new Set<AbortController>();

  constructor(private readonly connections: Connections, private readonly cache: TreeCache, private readonly documents: ResultsDocuments) {}

  /** FTP: Stop Find in Files: what Cancel on the notification does, for every search running. */
  stop(): void {
    for (const c of this.running) c.abort();
  }

  private setSearching(): void {
    void vscode.commands.executeCommand('setContext', 'ftpWorkspace.searching', this.running.size > 0);
  }

  async run(args: FindArgs = {}): Promise<FindResult | undefined> {
    const uris = await chooseFolders(args, 'Find in Files');
    if (!uris?.length) return undefined;
    let form: QueryForm | undefined;
    if (args.pattern !== undefined) {
      form = { pattern: args.pattern, isRegex: !!args.isRegex, matchCase: !!args.matchCase, wholeWord: !!args.wholeWord, include: args.include ?? '', exclude: args.exclude ?? '' };
      const problem = patternProblem(form);
      if (problem) throw new Error(problem);
    } else {
      const selected = selectedText();
      form = await askQuery(uris.map(folderLabel).join(', '), selected ? { ...this.last, pattern: selected } : this.last);
      if (!form) return undefined;
      this.last = form;
    }
    const limits = searchLimits(args);
    let roots: SearchRoot[];
    try {
      roots = await Promise.all(uris.map((u) => openRoot(this.connections, u, limits, (key, pool) => !args.fresh && this.cache.fresh(key, pool))));
    } catch (e) {
      void vscode.window.showErrorMessage(`Find in Files: ${errorText(e)}`);
      return undefined;
    }
    return this.search(roots, form, limits, args);
  }

  private async search(roots: SearchRoot[], form: QueryForm, limits: Limits, args: FindArgs): Promise<FindResult> {
    const started = Date.now();
    const re = compileQuery(form);
    const filter = pathFilter(form.include, form.exclude);
    const controller = new AbortController();
    this.running.add(controller);
    this.setSearching();
    const folders = roots.map((r) => ({ label: r.label, uri: r.uri.toString(true) }));
    const doc = this.documents.create(`Find ${JSON.stringify(form.pattern)}`, roots.map((r) => r.uri));
    const hits: FileHits[] = [];
    const listings: TreeListing[] = [];
    const searches: FileSearch[] = [];
    const releases: Array<() => void> = [];

    const counts = (): Counts => {
      const c: Counts = { listed: 0, folders: 0, searched: 0, binary: 0, tooLarge: 0, unreadable: 0, filtered: 0, links: 0, tooDeep: 0, unlistable: 0, capped: false, results: 0, filesWithResults: 0 };
      for (const l of listings) {
        c.listed += l.files.length;
        c.folders += l.stats.folders;
        c.links += l.stats.links;
        c.tooDeep += l.stats.tooDeep;
        c.unlistable += l.stats.unlistable.length;
        c.capped ||= l.stats.capped;
      }
      for (const s of searches) {
        c.searched += s.counts.searched;
        c.binary += s.counts.binary;
        c.tooLarge += s.counts.tooLarge;
        c.unreadable += s.counts.unreadable.length;
        c.filtered += s.counts.filtered;
        c.results += s.counts.results;
        c.filesWithResults += s.counts.filesWithResults;
      }
      return c;
    };
    let state: RunState = { state: 'running' };
    const show = () => this.documents.update(doc, render({ query: form, include: form.include, exclude: form.exclude, folders, files: hits, counts: counts(), run: state, limits }), state.state === 'running');
    show();
    const editor = vscode.workspace.openTextDocument(doc)
      .then((d) => vscode.languages.setTextDocumentLanguage(d, RESULTS_LANGUAGE))
      .then((d) => vscode.window.showTextDocument(d, { preview: false }));

    const ends = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: escapeMessage(`Find in Files: ${JSON.stringify(form.pattern)}`), cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      const tick = setInterval(() => {
        show();
        const c = counts();
        progress.report({ message: `${c.searched.toLocaleString('en-US')} of ${c.listed.toLocaleString('en-US')} files searched, ${plural(c.results, 'result')}` });
      }, RENDER_MS);
      try {
        roots.forEach((root, i) => {
          const fetch: Fetcher = (file, signal, begin) => root.site.pool.run(async (c) => {
            const onData = begin();
            const sink = new Writable({
              write(chunk: Buffer, _encoding, done) {
                onData(chunk);
                done();
              },
            });
            await c.downloadTo(file.path, sink, { signal, expectedSize: file.size });
          }, { idempotent: true, signal });
          const search = new FileSearch({
            re, filter, fetch, maxFileSize: limits.maxFileSize, concurrency: root.concurrency, maxResults: args.maxResults ?? DEFAULT_MAX_RESULTS,
            onHits: (file, matches: LineMatch[]) => hits.push({ root: i, rel: file.rel, matches }),
          });
          searches.push(search);
          const listing = this.cache.get(root.uri.authority, root.key, root.site.pool, (signal, onFiles, stats) =>
            walkTree(root.path, root.list, { ...limits, concurrency: root.concurrency, signal, onFiles, stats }), args.fresh);
          listings.push(listing);
          search.add(listing.files);
          releases.push(listing.use((files) => search.add(files)));
          void listing.done.then(() => {
            if (listing.state === 'done') search.close();
            else if (listing.state === 'failed') search.stop({ state: 'failed', error: listing.error });
            else search.stop({ state: 'cancelled' });
          });
        });
        const onAbort = () => {
          releases.forEach((r) => r());
          searches.forEach((s) => s.stop({ state: 'cancelled' }));
        };
        if (controller.signal.aborted) onAbort();
        else controller.signal.addEventListener('abort', onAbort, { once: true });
        // A result cap reached in one folder ends the others too.
        searches.forEach((s) => void s.finished.then((end) => end.state === 'stopped' && searches.forEach((o) => o.stop(end))));
        return await Promise.all(searches.map((s) => s.finished));
      } finally {
        clearInterval(tick);
        releases.forEach((r) => r());
      }
    });

    this.running.delete(controller);
    this.setSearching();
    const ms = Date.now() - started;
    state = finalState(ends, controller.signal.aborted, ms);
    roots.forEach((r, i) => {
      const end = ends[i];
      this.connections.reportResult(r.uri, end.state === 'failed' ? end.error : undefined);
    });
    show();
    await editor.then(undefined, () => undefined);
    // The command returns once the document shows the final results.
    await this.documents.shown(doc);
    const c = counts();
    if (state.state === 'failed') void vscode.window.showErrorMessage(`Find in Files stopped: ${escapeMessage(state.message)}`);
    else void vscode.window.setStatusBarMessage(`FTP: ${plural(c.results, 'result')} in ${plural(c.filesWithResults, 'file')}; ${c.searched.toLocaleString('en-US')} files searched`, 10_000);
    return {
      document: doc.toString(),
      state: state.state,
      counts: c,
      unreadable: searches.flatMap((s) => s.counts.unreadable),
      matches: [...hits].sort((a, b) => a.root - b.root || (a.rel < b.rel ? -1 : 1)).flatMap((h) => h.matches.map((m) => ({ uri: vscode.Uri.joinPath(roots[h.root].uri, ...h.rel.split('/')).toString(), line: m.line, column: m.column }))),
      ms,
    };
  }

  dispose(): void {
    this.stop();
  }
}

function finalState(ends: SearchEnd[], cancelled: boolean, ms: number): RunState {
  const failed = ends.find((e): e is Extract<SearchEnd, { state: 'failed' }> => e.state === 'failed');
  if (failed) return { state: 'failed', message: failed.error instanceof Error ? failed.error.message : String(failed.error), ms };
  if (cancelled || ends.some((e) => e.state === 'cancelled')) return { state: 'cancelled', ms };
  const stopped = ends.find((e): e is Extract<SearchEnd, { state: 'stopped' }> => e.state === 'stopped');
  if (stopped) return { state: 'stopped', reason: stopped.reason, ms };
  return { state: 'done', ms };
}

/** The active editor's selection, when it is a piece of one line (VS Code's Find in Files starts from it too). */
function selectedText(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty || !editor.selection.isSingleLine) return undefined;
  const text = editor.document.getText(editor.selection);
  return text.trim() ? text : undefined;
}
