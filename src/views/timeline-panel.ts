import * as vscode from 'vscode';
import type { RunSummary, WorkerPool } from '../engine';
import {
  aggregateRange,
  BandwidthIndex,
  callTree,
  counterTile,
  densityTile,
  filterMask,
  histogram,
  loadTimeline,
  parentRows,
  parseFilter,
  type TimelineStore,
} from '../engine/timeline';
import type {
  TimelineAnswerFor,
  TimelineFromWebview,
  TimelineOverview,
  TimelineQuery,
  TimelineRange,
  TimelineToWebview,
} from '../protocol';
import { toArrowIpc } from '../runs/arrow-ipc';
import type { RunId, RunLease, RunRegistry } from '../runs/run-registry';
import { webviewHtml, webviewOptions } from './webview-html';

export const TIMELINE_PANEL = 'dftrace.timelinePanel';

export interface TimelineDeps {
  extensionUri: vscode.Uri;
  registry: RunRegistry;
  log: vscode.LogOutputChannel;
  pool: WorkerPool;
}

/** A run's events re-read into columns, with what the questions about them reuse (filter masks, indexes). */
class LoadedTimeline {
  readonly bandwidth: BandwidthIndex;
  private lastFilter = '';
  private lastMask: Uint8Array | undefined;
  private parents: ReturnType<typeof parentRows> | undefined;

  constructor(
    readonly store: TimelineStore,
    readonly run: RunSummary,
    readonly loadSeconds: number,
  ) {
    this.bandwidth = new BandwidthIndex(store);
  }

  /** The filter's mask (undefined = everything), kept for the next question with the same filter. */
  mask(filter: string): Uint8Array | undefined {
    const f = filter.trim();
    if (f === '') return undefined;
    if (f !== this.lastFilter || !this.lastMask) {
      this.lastMask = filterMask(this.store, parseFilter(f)); // a FilterError becomes the reply's `err`
      this.lastFilter = f;
    }
    return this.lastMask;
  }

  treeParents(): ReturnType<typeof parentRows> {
    return (this.parents ??= parentRows(this.store));
  }

  /** Rows in the range and lanes (all when no range) that pass the filter. */
  include(range: TimelineRange | undefined, filter: string): Uint8Array | undefined {
    const mask = this.mask(filter);
    if (!range) return mask;
    const s = this.store;
    const out = new Uint8Array(s.length);
    for (const k of range.lanes) {
      for (let q = s.firstOpenAt(k, range.t0); q < s.laneStart[k + 1]; q++) {
        const r = s.order[q];
        if (s.ts[r] >= range.t1) break;
        if (s.ts[r] + s.dur[r] < range.t0) continue;
        if (!mask || mask[r]) out[r] = 1;
      }
    }
    return out;
  }
}

/** One run's timeline in a panel: lanes, density, selection aggregates, event fields, call tree, histograms. */
class TimelineView implements vscode.Disposable {
  private readonly lease: RunLease;
  private loaded: Promise<LoadedTimeline>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;
  private readonly cancel = new AbortController();

  constructor(
    private readonly deps: TimelineDeps,
    readonly panel: vscode.WebviewPanel,
    readonly runId: RunId,
  ) {
    this.lease = deps.registry.acquire(runId);
    this.loaded = this.load();
    this.loaded.catch(() => undefined);
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: TimelineFromWebview) => void this.onMessage(m)),
      deps.registry.onDidChangeState((id) => id === runId && this.sendState()),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private async load(): Promise<LoadedTimeline> {
    const run = await this.lease.summary;
    const started = Date.now();
    this.post({
      type: 'progress',
      message: `Reading ${run.totals.events.toLocaleString()} events for the timeline…`,
    });
    const store = await loadTimeline(run, this.deps.pool, this.cancel.signal);
    const seconds = (Date.now() - started) / 1000;
    this.deps.log.info(
      `timeline of ${this.lease.run.label}: ${store.length} events in ${seconds.toFixed(2)} s`,
    );
    return new LoadedTimeline(store, run, seconds);
  }

  private post(msg: TimelineToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(msg);
  }

  private sendState(): void {
    const state = this.deps.registry.state(this.runId);
    if (state.kind === 'loading') {
      const p = state.progress;
      const pct = p.bytesTotal ? Math.round((100 * p.bytesDone) / p.bytesTotal) : 0;
      this.post({
        type: 'progress',
        message: `Reading the run: ${pct}% · ${p.events.toLocaleString()} events`,
      });
    } else if (state.kind === 'failed') this.post({ type: 'loadFailed', message: state.message });
    this.loaded.then(
      () => this.post({ type: 'loaded' }),
      (e: Error) => this.post({ type: 'loadFailed', message: e.message }),
    );
  }

  private async onMessage(m: TimelineFromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.post({ type: 'init', runId: this.runId, label: this.lease.run.label });
        this.sendState();
        return;
      case 'request':
        try {
          const ok = await this.answer(m.query);
          this.post({ type: 'reply', id: m.id, result: { ok } });
        } catch (e) {
          this.post({ type: 'reply', id: m.id, result: { err: e instanceof Error ? e.message : String(e) } });
        }
        return;
      case 'openEvents':
        await vscode.commands.executeCommand('dftrace.openEvents', {
          runId: this.runId,
          file: m.file,
          select: m.select,
        });
        return;
      case 'showRawLine':
        await vscode.commands.executeCommand('dftrace.showRawLine', { runId: this.runId, ref: m.ref });
        return;
      default: {
        const never: never = m;
        this.deps.log.warn(`unknown timeline message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Answers one question; exported for the extension-host tests through `answerFor`. */
  async answer(q: TimelineQuery): Promise<TimelineAnswerFor<TimelineQuery>> {
    const t = await this.loaded;
    const s = t.store;
    switch (q.kind) {
      case 'overview':
        return this.overview(t);
      case 'tile': {
        const columns = Math.max(1, Math.min(8192, Math.floor(q.columns)));
        const lanes = q.lanes.filter((k) => k >= 0 && k < s.lanes.length);
        const mask = t.mask(q.filter);
        const d = densityTile(s, q.t0, q.t1, columns, lanes, { mask, maxEvents: 20_000 });
        const bw = t.bandwidth.tile(q.t0, q.t1, columns, mask);
        const e = d.events;
        return {
          t0: q.t0,
          t1: q.t1,
          columns,
          lanes,
          busy: d.busy,
          dominant: d.dominant,
          evRow: e.row,
          evLane: e.lane,
          evDepth: e.depth,
          evTs: Float64Array.from(e.row, (r) => s.ts[r]),
          evDur: Float64Array.from(e.row, (r) => s.dur[r]),
          evCat: Uint16Array.from(e.row, (r) => s.cat[r]),
          truncated: e.truncated,
          readBps: bw.read,
          writeBps: bw.write,
          counters: s.counters.map((c) => counterTile(c, q.t0, q.t1, columns)),
        };
      }
      case 'aggregate': {
        const a = aggregateRange(s, q.t0, q.t1, q.lanes, q.by, t.mask(q.filter));
        const rows = a.rows;
        return {
          table: toArrowIpc({
            key: rows.map((r) => r.key),
            count: Float64Array.from(rows, (r) => r.count),
            bytes: Float64Array.from(rows, (r) => r.bytes),
            durUs: Float64Array.from(rows, (r) => r.durUs),
            busyUs: Float64Array.from(rows, (r) => r.busyUs),
          }),
          total: { count: a.total.count, bytes: a.total.bytes, durUs: a.total.durUs, busyUs: a.total.busyUs },
          groups: rows.length,
        };
      }
      case 'event': {
        const r = q.row;
        if (!(r >= 0 && r < s.length)) throw new Error(`no event ${r}`);
        const lane = s.lanes[s.lane[r]];
        const num = (x: number) => (Number.isNaN(x) || x < 0 ? null : x);
        return {
          row: r,
          name: s.opNames[s.op[r]],
          cat: s.catNames[s.cat[r]],
          ts: s.ts[r],
          relUs: s.ts[r] - s.tsMin,
          dur: s.dur[r],
          pid: s.pid[r],
          tid: s.tid[r],
          host: lane.host,
          file: s.fileNames[s.file[r]],
          bytes: s.bytes[r],
          id: num(s.id[r]),
          pIdx: Number.isNaN(s.pIdx[r]) ? null : s.pIdx[r],
          level: num(s.level[r]),
          trace: t.run.files[s.trace[r]]?.path ?? '',
          ref: { trace: s.trace[r], line: s.line[r], offset: s.lineOffset[r] },
        };
      }
      case 'callTree': {
        const tree = callTree(s, t.include(q.range, q.filter), t.treeParents());
        return {
          parent: tree.parent,
          name: tree.name,
          count: tree.count,
          totalUs: tree.totalUs,
          selfUs: tree.selfUs,
          source: tree.source,
        };
      }
      case 'histogram': {
        const inc = t.include(q.range, q.filter);
        const opId = s.opNames.indexOf(q.op);
        const values: number[] = [];
        for (let i = 0; i < s.length; i++) {
          if (s.op[i] !== opId || (inc && !inc[i])) continue;
          values.push(q.measure === 'dur' ? s.dur[i] : s.bytes[i]);
        }
        const h = histogram(values);
        return {
          op: q.op,
          count: h.count,
          p50: h.p50,
          p90: h.p90,
          p95: h.p95,
          p99: h.p99,
          max: h.max,
          binsLo: Float64Array.from(h.bins, (b) => b.lo),
          binsHi: Float64Array.from(h.bins, (b) => b.hi),
          binsCount: Float64Array.from(h.bins, (b) => b.count),
        };
      }
      default: {
        const never: never = q;
        throw new Error(`unknown timeline query ${JSON.stringify(never)}`);
      }
    }
  }

  private overview(t: LoadedTimeline): TimelineOverview {
    const s = t.store;
    const opCounts = new Float64Array(s.opNames.length);
    for (let i = 0; i < s.length; i++) opCounts[s.op[i]]++;
    const p = t.treeParents();
    return {
      label: this.lease.run.label,
      tsMin: s.tsMin,
      tsMax: s.tsMax,
      events: s.length,
      lanes: s.lanes.map((l) => ({
        host: l.host,
        pid: l.pid,
        tid: l.tid,
        rank: Number.isNaN(l.rank) ? null : l.rank,
        events: l.events,
      })),
      categories: s.catNames,
      ops: s.opNames
        .map((op, i) => ({ op, count: opCounts[i] }))
        .filter((o) => o.count > 0)
        .sort((a, b) => b.count - a.count),
      counters: s.counters.map((c) => ({ name: c.name, pid: c.pid })),
      checkpoints: t.run.spans.map((sp) => ({
        name: sp.name,
        pid: sp.pid,
        tid: sp.tid,
        ts: sp.ts,
        dur: sp.dur,
      })),
      callTreeSource:
        p.byIdx > 0 && p.byTime > 0 ? 'mixed' : p.byIdx > 0 ? 'p_idx' : p.byTime > 0 ? 'containment' : 'none',
      loadSeconds: t.loadSeconds,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cancel.abort();
    this.lease.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

/** One timeline panel per run, restored after a reload from the run id the webview saved. */
export class TimelinePanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly views = new Map<RunId, TimelineView>();

  constructor(private readonly deps: TimelineDeps) {}

  static register(deps: TimelineDeps): { panels: TimelinePanels; disposable: vscode.Disposable } {
    const panels = new TimelinePanels(deps);
    return {
      panels,
      disposable: vscode.Disposable.from(
        panels,
        vscode.window.registerWebviewPanelSerializer(TIMELINE_PANEL, panels),
      ),
    };
  }

  open(runId: RunId): void {
    const existing = this.views.get(runId);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const run = this.deps.registry.get(runId);
    if (!run) throw new Error(`unknown run ${runId}`);
    const panel = vscode.window.createWebviewPanel(
      TIMELINE_PANEL,
      `Timeline ${run.label}`,
      vscode.ViewColumn.Active,
      {
        ...webviewOptions(this.deps.extensionUri),
        retainContextWhenHidden: true,
      },
    );
    this.show(panel, runId);
  }

  /** The timeline of a run, for tests in the extension host: answers the same questions the webview asks. */
  query<Q extends TimelineQuery>(runId: RunId, q: Q): Promise<TimelineAnswerFor<Q>> {
    const v = this.views.get(runId);
    if (!v) return Promise.reject(new Error(`no timeline open for ${runId}`));
    return v.answer(q) as Promise<TimelineAnswerFor<Q>>;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const runId = (state as { runId?: string } | undefined)?.runId;
    if (!runId) {
      panel.dispose();
      return;
    }
    const run = runId.startsWith('file:')
      ? this.deps.registry.addFile(runId.slice(5))
      : this.deps.registry.addFolder(runId.slice(4), false);
    this.show(panel, run.id);
  }

  dispose(): void {
    for (const v of this.views.values()) v.dispose();
  }

  private show(panel: vscode.WebviewPanel, runId: RunId): void {
    panel.webview.options = webviewOptions(this.deps.extensionUri);
    const label = this.deps.registry.get(runId)?.label ?? runId;
    panel.webview.html = webviewHtml(panel.webview, this.deps.extensionUri, 'timeline', `Timeline ${label}`);
    panel.iconPath = new vscode.ThemeIcon('timeline-view-icon');
    const view = new TimelineView(this.deps, panel, runId);
    this.views.set(runId, view);
    panel.onDidDispose(() => {
      if (this.views.get(runId) === view) this.views.delete(runId);
    });
  }
}

/**
 * The run a command means: a tree node or `{runId}`, an Explorer file or folder, else the dashboard or timeline in
 * front (a trace file's custom editor, or a run panel by its title).
 */
export function timelineRunFor(arg: unknown, registry: RunRegistry): RunId | undefined {
  if (arg && typeof arg === 'object' && 'runId' in arg && typeof arg.runId === 'string') return arg.runId;
  if (arg instanceof vscode.Uri) {
    const isTrace = /\.pfw(\.gz)?$/.test(arg.fsPath);
    return (isTrace ? registry.addFile(arg.fsPath) : registry.addFolder(arg.fsPath)).id;
  }
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && /\.pfw(\.gz)?$/.test(input.uri.fsPath))
    return registry.addFile(input.uri.fsPath).id;
  if (input instanceof vscode.TabInputWebview) {
    const label = vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '';
    const m = /^(?:Run|Timeline) (.+)$/.exec(label);
    const run = m && registry.list().find((r) => r.label === m[1]);
    if (run) return run.id;
  }
  return undefined;
}
