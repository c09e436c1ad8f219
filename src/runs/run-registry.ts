import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  AbortedError,
  findTraceFiles,
  naturalCompare,
  summarizeTraceFiles,
  TRACE_FILE_RE,
  type RunSummary,
  type WorkerPool,
} from '../engine';
import type { LoadProgress } from '../protocol';
import { loadSummaryFile } from '../engine/export/summary-parts';
import { unreachableTraces } from '../engine/export/reachable';
import { FileEvents } from './file-events';
import { readSettings } from './settings';

export type RunId = string;

export interface RunInfo {
  id: RunId;
  label: string;
  /** The folder the run's trace files are in (for a single file, its folder). */
  folder: string;
  /** Where the run came from: found in the workspace, added by the user, opened as one file, or as a summary file
   * (`*.dftrace-summary.json`, e.g. merged from shards on a cluster). */
  source: 'workspace' | 'added' | 'file' | 'summary';
}

export type RunState =
  | { kind: 'idle' }
  | { kind: 'loading'; progress: LoadProgress }
  | { kind: 'loaded'; summary: RunSummary; seconds: number }
  | { kind: 'failed'; message: string };

/** Holds a run's parsed summary in memory while a view uses it. */
export interface RunLease extends vscode.Disposable {
  readonly run: RunInfo;
  readonly summary: Promise<RunSummary>;
}

interface Entry {
  info: RunInfo;
  state: RunState;
  loading?: Promise<RunSummary>;
  cancel?: AbortController;
  leases: number;
  releaseTimer?: NodeJS.Timeout;
  events: Map<string, Promise<FileEvents>>;
}

/** How long an unused parsed run stays in memory, so closing and reopening a view is instant. */
const KEEP_UNUSED_MS = 60_000;
const ADDED_KEY = 'dftrace.addedRuns';
const BASELINE_KEY = 'dftrace.baseline';

export function folderRunId(folder: string): RunId {
  return `dir:${path.resolve(folder)}`;
}

export function fileRunId(file: string): RunId {
  return `file:${path.resolve(file)}`;
}

/**
 * The runs the extension knows, and their parsed summaries: loaded on first use in the worker pool (with a
 * cancellable progress notification), shared by every view, reference-counted, and released when unused.
 */
export class RunRegistry implements vscode.Disposable {
  private readonly entries = new Map<RunId, Entry>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly stateChanged = new vscode.EventEmitter<RunId>();
  /** Fires when the list of runs (or the baseline) changes. */
  readonly onDidChangeRuns = this.changed.event;
  /** Fires when a run's load state changes (progress included). */
  readonly onDidChangeState = this.stateChanged.event;

  constructor(
    private readonly pool: WorkerPool,
    private readonly memento: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    private readonly cacheDir: () => string,
  ) {
    for (const folder of memento.get<string[]>(ADDED_KEY, [])) this.ensure(folder, 'added');
  }

  list(): RunInfo[] {
    return [...this.entries.values()]
      .filter((e) => (e.info.source !== 'file' && e.info.source !== 'summary') || e.leases > 0)
      .map((e) => e.info)
      .sort((a, b) => naturalCompare(a.label, b.label));
  }

  get(id: RunId): RunInfo | undefined {
    return this.entries.get(id)?.info;
  }

  state(id: RunId): RunState {
    return this.entries.get(id)?.state ?? { kind: 'idle' };
  }

  get baseline(): RunId | undefined {
    const id = this.memento.get<string>(BASELINE_KEY);
    return id && this.entries.has(id) ? id : undefined;
  }

  async setBaseline(id: RunId | undefined): Promise<void> {
    await this.memento.update(BASELINE_KEY, id);
    this.changed.fire();
  }

  /** Finds runs in the workspace: every folder that directly holds trace files. */
  async discover(): Promise<void> {
    const uris = await vscode.workspace.findFiles('**/*.{pfw,pfw.gz}', '**/{node_modules,.git}/**', 20_000);
    const folders = new Set(uris.map((u) => path.dirname(u.fsPath)));
    for (const [id, e] of this.entries) {
      if (e.info.source === 'workspace' && !folders.has(e.info.folder) && e.leases === 0)
        this.entries.delete(id);
    }
    for (const folder of folders) this.ensure(folder, 'workspace');
    this.changed.fire();
  }

  /** The run of a folder (every trace file below it), registering it when new. */
  addFolder(folder: string, remember = true): RunInfo {
    const info = this.ensure(folder, 'added');
    if (remember) {
      const added = new Set(this.memento.get<string[]>(ADDED_KEY, []));
      added.add(info.folder);
      void this.memento.update(ADDED_KEY, [...added]);
    }
    this.changed.fire();
    return info;
  }

  /** The run made of one trace file (what the custom editor shows). */
  addFile(file: string): RunInfo {
    const id = fileRunId(file);
    let e = this.entries.get(id);
    if (!e) {
      e = this.newEntry({ id, label: path.basename(file), folder: path.dirname(file), source: 'file' });
      this.entries.set(id, e);
    }
    return e.info;
  }

  /** The run a summary file describes (what the summary's custom editor shows). */
  addSummaryFile(file: string): RunInfo {
    const id = `sum:${path.resolve(file)}`;
    let e = this.entries.get(id);
    if (!e) {
      const label = path.basename(file).replace(/\.dftrace-summary\.json$/i, '') + ' (summary)';
      e = this.newEntry({ id, label, folder: path.dirname(path.resolve(file)), source: 'summary' });
      this.entries.set(id, e);
    }
    return e.info;
  }

  remove(id: RunId): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.cancel?.abort();
    this.entries.delete(id);
    const added = this.memento.get<string[]>(ADDED_KEY, []).filter((f) => f !== e.info.folder);
    void this.memento.update(ADDED_KEY, added);
    if (this.baseline === id) void this.setBaseline(undefined);
    this.changed.fire();
  }

  /** Trace files of a run, found anew each time (a run folder can grow while a job writes). */
  async traceFiles(id: RunId): Promise<string[]> {
    if (id.startsWith('file:')) return [id.slice(5)];
    if (id.startsWith('sum:')) {
      const e = this.entries.get(id);
      return e?.state.kind === 'loaded' ? e.state.summary.files.map((f) => f.path) : [];
    }
    const info = this.get(id);
    if (!info) return [];
    return (await findTraceFiles([info.folder])).files;
  }

  /** Whether a single trace file has sibling traces (then "Open the whole run" makes sense). */
  async hasSiblings(file: string): Promise<boolean> {
    const dir = path.dirname(file);
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.file(dir));
    return entries.some(([name]) => TRACE_FILE_RE.test(name) && path.join(dir, name) !== path.resolve(file));
  }

  acquire(id: RunId): RunLease {
    const e = this.entries.get(id);
    if (!e) throw new Error(`unknown run ${id}`);
    e.leases++;
    clearTimeout(e.releaseTimer);
    if ((e.info.source === 'file' || e.info.source === 'summary') && e.leases === 1) this.changed.fire();
    let disposed = false;
    return {
      run: e.info,
      summary: this.load(e),
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.release(e);
      },
    };
  }

  /** Every event of one accessed file in a run, kept while the run is loaded. */
  fileEvents(id: RunId, file: string): Promise<FileEvents> {
    const e = this.entries.get(id);
    if (!e || e.state.kind !== 'loaded') return Promise.reject(new Error('the run is not loaded'));
    let hit = e.events.get(file);
    if (!hit) {
      const summary = e.state.summary;
      hit = unreachableTraces(summary, file).then((missing) => {
        if (missing.length > 0)
          throw new Error(
            `the event list re-reads the trace files, and ${missing.length} of those that touched this file ` +
              `cannot be read from here (e.g. ${missing[0]}); the figures above come from the summary alone`,
          );
        return FileEvents.load(summary, file, this.pool, this.cacheDir());
      });
      hit.catch(() => e.events.delete(file));
      // a handful of files' events at most: they can be large
      if (e.events.size >= 4) e.events.delete(e.events.keys().next().value!);
      e.events.set(file, hit);
    }
    return hit;
  }

  dispose(): void {
    for (const e of this.entries.values()) {
      e.cancel?.abort();
      clearTimeout(e.releaseTimer);
    }
    this.changed.dispose();
    this.stateChanged.dispose();
  }

  private ensure(folder: string, source: RunInfo['source']): RunInfo {
    const id = folderRunId(folder);
    let e = this.entries.get(id);
    if (!e) {
      const abs = path.resolve(folder);
      e = this.newEntry({ id, label: this.labelFor(abs), folder: abs, source });
      this.entries.set(id, e);
    } else if (source === 'added' && e.info.source === 'workspace') e.info.source = 'added';
    return e.info;
  }

  private labelFor(folder: string): string {
    const base = path.basename(folder);
    const clash = [...this.entries.values()].some((e) => e.info.label === base);
    return clash ? `${path.basename(path.dirname(folder))}/${base}` : base;
  }

  private newEntry(info: RunInfo): Entry {
    return { info, state: { kind: 'idle' }, leases: 0, events: new Map() };
  }

  private setState(e: Entry, state: RunState): void {
    e.state = state;
    this.stateChanged.fire(e.info.id);
  }

  private load(e: Entry): Promise<RunSummary> {
    if (e.state.kind === 'loaded') return Promise.resolve(e.state.summary);
    if (e.loading) return e.loading;
    const cancel = new AbortController();
    e.cancel = cancel;
    const started = Date.now();
    const empty: LoadProgress = {
      filesDone: 0,
      filesTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      events: 0,
      elapsedMs: 0,
    };
    this.setState(e, { kind: 'loading', progress: empty });
    const settings = readSettings();
    e.loading = Promise.resolve(
      vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `DFTracer: reading ${e.info.label}`,
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => cancel.abort());
          if (e.info.source === 'summary') return loadSummaryFile(e.info.id.slice(4));
          const files = await this.traceFiles(e.info.id);
          if (files.length === 0) throw new Error(`no .pfw or .pfw.gz files in ${e.info.folder}`);
          this.log.info(`reading ${files.length} trace files of ${e.info.label}`);
          let lastPercent = 0;
          return summarizeTraceFiles(files, {
            pool: this.pool,
            signal: cancel.signal,
            cacheDir: this.cacheDir(),
            scan: { spanPattern: settings.spanPattern },
            onProgress: (p) => {
              const percent = p.bytesTotal ? (100 * p.bytesDone) / p.bytesTotal : 0;
              // MB/s of text (what was parsed), not of the gzip on disk, which is 10-15 times smaller
              const mbs = p.elapsedMs > 0 ? (p.textBytesDone ?? p.bytesDone) / 1e6 / (p.elapsedMs / 1000) : 0;
              const files = p.filesTotal === 1 ? '' : ` · ${p.filesDone}/${p.filesTotal} files`;
              progress.report({
                increment: percent - lastPercent,
                message: `${percent.toFixed(0)}%${files} · ${p.events.toLocaleString()} events · ${mbs.toFixed(0)} MB/s`,
              });
              lastPercent = percent;
              this.setState(e, { kind: 'loading', progress: p });
            },
          });
        },
      ),
    ).then(
      (summary) => {
        const seconds = (Date.now() - started) / 1000;
        this.log.info(
          `${e.info.label}: ${summary.totals.events} events, ${summary.totals.badLines} bad lines in ${seconds.toFixed(1)} s`,
        );
        for (const f of summary.files) {
          if (f.error) this.log.warn(`${f.path}: ${f.error}`);
          for (const p of f.read.problems) this.log.warn(`${f.path}: ${p}`);
        }
        this.setState(e, { kind: 'loaded', summary, seconds });
        return summary;
      },
      (err: Error) => {
        const message = err instanceof AbortedError || err.name === 'AbortError' ? 'cancelled' : err.message;
        this.log.error(`${e.info.label}: ${message}`);
        this.setState(e, { kind: 'failed', message });
        throw err;
      },
    );
    void e.loading
      .catch(() => undefined)
      .finally(() => {
        e.loading = undefined;
        e.cancel = undefined;
      });
    return e.loading;
  }

  private release(e: Entry): void {
    e.leases--;
    if (e.leases > 0) return;
    if (e.info.source === 'file' || e.info.source === 'summary') this.changed.fire();
    e.releaseTimer = setTimeout(() => {
      if (e.leases > 0) return;
      e.cancel?.abort();
      e.events.clear();
      if (e.state.kind !== 'idle') this.setState(e, { kind: 'idle' });
      this.log.debug(`released ${e.info.label}`);
    }, KEEP_UNUSED_MS);
  }
}
