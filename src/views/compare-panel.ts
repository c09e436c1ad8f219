import * as vscode from 'vscode';
import { diffInsights, runInsights } from '../engine/insights';
import { insightOptions } from '../runs/insight-settings';
import type { RunSummary } from '../engine';
import { compareRuns, patternOps, patternTable, toCsv, toMarkdown } from '../engine/compare/metrics';
import type {
  AnswerFor,
  CompareData,
  LoadProgress,
  MetricRow,
  Query,
  ToWebview,
  ViewTarget,
} from '../protocol';
import { tierOf } from '../engine/compare/tiers';
import { slowestWriteCalls, writesAnswer } from '../runs/answers';
import type { RunId, RunLease } from '../runs/run-registry';
import { readSettings } from '../runs/settings';
import type { ViewDeps } from './run-view';
import { runViewCommand, type ViewCommand } from './view-commands';
import { WebviewSession } from './webview-session';
import { systemMatcher } from './system-files';
import { webviewHtml, webviewOptions } from './webview-html';

export const COMPARE_PANEL = 'dftrace.comparePanel';

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** The comparison's figures for the webview (NaN, which JSON cannot carry, becomes null). */
export function compareData(
  runIds: RunId[],
  labels: string[],
  folders: string[],
  runs: RunSummary[],
  showSystem = false,
): CompareData {
  const s = readSettings();
  // the runtime's files (/proc, shared libraries, ...) are left out of the per-pattern list, and counted
  const hide = s.systemFiles.hide && !showSystem;
  const isSystem = systemMatcher(s.systemFiles.patterns);
  const systemHidden = runs.map((r) => {
    const files = new Set<string>();
    let durUs = 0;
    for (const o of r.ops)
      if (isSystem(o.file)) {
        files.add(o.file);
        durUs += o.durUs;
      }
    return { files: files.size, durUs };
  });
  const patternRuns = hide ? runs.map((r) => ({ ...r, ops: r.ops.filter((o) => !isSystem(o.file)) })) : runs;
  const table = compareRuns(runs[0], runs.slice(1), {
    tiers: s.tiers,
    checkpointPattern: s.spanPattern,
    labels,
  });
  const patterns = patternTable(patternRuns, { labels });
  const metrics: MetricRow[] = table.rows.map((r) => ({
    key: r.key,
    label: r.label,
    unit: r.unit,
    values: r.values.map(finiteOrNull),
    deltas: r.deltas.map(finiteOrNull),
    ratios: r.ratios.map(finiteOrNull),
    approximate: r.approximate,
  }));
  return {
    runs: runIds.map((runId, i) => ({
      runId,
      label: labels[i],
      folder: folders[i],
      role: i === 0 ? 'baseline' : 'other',
    })),
    metrics,
    patterns: patterns.rows.map((r) => ({ pattern: r.pattern, values: r.values, deltas: r.deltas })),
    slowestWrites: runs.map((r) => slowestWriteCalls(r, 8, (f) => tierOf(f, s.tiers))),
    markdown: toMarkdown(table),
    csv: toCsv(table),
    systemHidden: hide ? systemHidden : systemHidden.map(() => ({ files: 0, durUs: 0 })),
    systemFilter: s.systemFiles.hide,
  };
}

/** A baseline and one or more other runs side by side: metrics, file patterns and synced write timelines. */
class CompareView implements vscode.Disposable {
  private readonly leases: RunLease[];
  private readonly session: WebviewSession;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly deps: ViewDeps,
    readonly panel: vscode.WebviewPanel,
    readonly runIds: RunId[],
  ) {
    this.leases = runIds.map((id) => deps.registry.acquire(id));
    for (const l of this.leases) l.summary.catch(() => undefined);
    const target: ViewTarget = { view: 'compare', runIds, labels: this.leases.map((l) => l.run.label) };
    this.session = new WebviewSession(
      panel.webview,
      target,
      { answer: (q) => this.answer(q), command: (m) => this.command(m), ready: () => this.sendState() },
      deps.log,
    );
    this.subscriptions.push(
      deps.registry.onDidChangeState((id) => runIds.includes(id) && this.sendState()),
      panel.onDidDispose(() => this.dispose()),
      // tiers, slow thresholds and the system-file filter are applied per request: the view asks again
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('dftrace') && !e.affectsConfiguration('dftrace.workers'))
          this.post({ type: 'settingsChanged' });
      }),
    );
  }

  /** Every run's summary, baseline first. */
  summaries(): Promise<RunSummary[]> {
    return Promise.all(this.leases.map((l) => l.summary));
  }

  async data(showSystem = false): Promise<CompareData> {
    const runs = await this.summaries();
    return compareData(
      this.runIds,
      this.leases.map((l) => l.run.label),
      this.leases.map((l) => l.run.folder),
      runs,
      showSystem,
    );
  }

  private post(msg: ToWebview): void {
    this.session.post(msg);
  }

  private sendState(): void {
    const states = this.runIds.map((id) => this.deps.registry.state(id));
    const failed = states.find((s) => s.kind === 'failed');
    if (failed && failed.kind === 'failed') {
      this.post({ type: 'loadFailed', message: failed.message });
      return;
    }
    if (states.every((s) => s.kind === 'loaded')) {
      this.post({ type: 'loaded' });
      return;
    }
    const sum: LoadProgress = {
      filesDone: 0,
      filesTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      events: 0,
      elapsedMs: 0,
    };
    for (const s of states) {
      if (s.kind !== 'loading') continue;
      sum.filesDone += s.progress.filesDone;
      sum.filesTotal += s.progress.filesTotal;
      sum.bytesDone += s.progress.bytesDone;
      sum.bytesTotal += s.progress.bytesTotal;
      sum.events += s.progress.events;
      sum.elapsedMs = Math.max(sum.elapsedMs, s.progress.elapsedMs);
    }
    this.post({ type: 'progress', progress: sum });
  }

  private async answer(q: Query): Promise<AnswerFor<Query>> {
    switch (q.kind) {
      case 'compare':
        return this.data(q.showSystem);
      case 'writes': {
        const runs = await this.summaries();
        const run = runs[q.run ?? 0];
        if (!run) throw new Error(`no run ${q.run}`);
        return writesAnswer(run, q.maxPoints, readSettings());
      }
      case 'patternOps': {
        const runs = await this.summaries();
        return { pattern: q.pattern, runs: runs.map((r) => patternOps(r, q.pattern)) };
      }
      case 'insightsDiff': {
        const runs = await this.summaries();
        const opts = insightOptions();
        const base = runInsights(runs[0], opts);
        return {
          labels: this.leases.map((l) => l.run.label),
          diffs: runs.slice(1).map((r) => diffInsights(base, runInsights(r, opts, runs[0]))),
        };
      }
      case 'summary':
      case 'eventsPage':
      case 'locate':
      case 'insights':
        throw new Error(`the comparison does not answer ${q.kind}`);
      default: {
        const never: never = q;
        throw new Error(`unknown query ${JSON.stringify(never)}`);
      }
    }
  }

  private command(m: ViewCommand): Promise<void> {
    return runViewCommand(m, {
      reload: () => {
        const old = this.leases.splice(
          0,
          this.leases.length,
          ...this.runIds.map((id) => this.deps.registry.acquire(id)),
        );
        for (const l of this.leases) l.summary.catch(() => undefined);
        for (const l of old) l.dispose();
        this.sendState();
      },
    });
  }

  private disposed = false;
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.leases) l.dispose();
    this.session.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

/** One comparison panel per (ordered) set of runs; restored after a reload from the run ids in its state. */
export class ComparePanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly views = new Map<string, CompareView>();
  private readonly registration: vscode.Disposable;

  constructor(private readonly deps: ViewDeps) {
    this.registration = vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL, this);
  }

  /** Opens the comparison of `runIds` (the first is the baseline) and returns it. */
  open(runIds: RunId[]): CompareView {
    const key = runIds.join('\u0000');
    const existing = this.views.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const labels = runIds.map((id) => this.deps.registry.get(id)?.label ?? id);
    const panel = vscode.window.createWebviewPanel(
      COMPARE_PANEL,
      `Compare ${labels[0]} ↔ ${labels.slice(1).join(', ')}`,
      vscode.ViewColumn.Active,
      { ...webviewOptions(this.deps.extensionUri), enableFindWidget: true },
    );
    return this.show(key, panel, runIds);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const ids = (state as { runIds?: string[] } | undefined)?.runIds;
    if (!ids || ids.length < 2) {
      panel.dispose();
      return;
    }
    const runIds = ids.map((id) =>
      id.startsWith('file:')
        ? this.deps.registry.addFile(id.slice(5)).id
        : id.startsWith('sum:')
          ? this.deps.registry.addSummaryFile(id.slice(4)).id
          : this.deps.registry.addFolder(id.slice(4), false).id,
    );
    this.show(runIds.join('\u0000'), panel, runIds);
  }

  dispose(): void {
    for (const v of this.views.values()) v.dispose();
    this.registration.dispose();
  }

  private show(key: string, panel: vscode.WebviewPanel, runIds: RunId[]): CompareView {
    panel.webview.options = webviewOptions(this.deps.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.deps.extensionUri, 'compare', panel.title);
    panel.iconPath = new vscode.ThemeIcon('diff');
    const view = new CompareView(this.deps, panel, runIds);
    this.views.set(key, view);
    panel.onDidDispose(() => {
      if (this.views.get(key) === view) this.views.delete(key);
    });
    return view;
  }
}
