import * as vscode from 'vscode';
import type { AnswerFor, Query } from '../protocol';
import { dashboardSummary, writesAnswer } from '../runs/answers';
import type { RunId } from '../runs/run-registry';
import { readSettings } from '../runs/settings';
import { runInsights } from '../engine/insights';
import { insightOptions } from '../runs/insight-settings';
import { publishInsightDiagnostics } from './insight-diagnostics';
import { RunView, type ViewDeps } from './run-view';
import { runViewCommand, type ViewCommand } from './view-commands';
import { webviewHtml, webviewOptions } from './webview-html';

export const DASHBOARD_EDITOR = 'dftrace.dashboard';
/** `*.dftrace-summary.json` (a whole or merged summary, e.g. from `dftrace merge`): the same dashboard. */
export const SUMMARY_EDITOR = 'dftrace.summaryDashboard';
export const DASHBOARD_PANEL = 'dftrace.dashboardPanel';

/** A run's dashboard: header, per-file operation table and chart, write timeline, slowest writes. */
class DashboardView extends RunView {
  /** The run's findings go to the Problems panel as soon as it is parsed, whether or not the webview asks. */
  readonly diagnosed = this.lease.summary.then(
    (run) => publishInsightDiagnostics(this.lease.run.id, runInsights(run, insightOptions())),
    () => undefined,
  );

  protected async answer(q: Query): Promise<AnswerFor<Query>> {
    const summary = await this.lease.summary;
    const s = readSettings();
    switch (q.kind) {
      case 'summary':
        return {
          ...dashboardSummary(summary, this.lease.run.label, this.lease.run.folder, s),
          systemFiles: s.systemFiles,
        };
      case 'writes':
        return writesAnswer(summary, q.maxPoints, s);
      case 'insights': {
        const report = runInsights(summary, insightOptions());
        publishInsightDiagnostics(this.lease.run.id, report);
        return {
          findings: report.findings,
          notEvaluated: report.notEvaluated,
          passed: report.passed.map((p) => ({ id: p.id, title: p.title })),
          scrRun: report.scrRun,
        };
      }
      case 'eventsPage':
      case 'locate':
      case 'compare':
      case 'patternOps':
      case 'insightsDiff':
        throw new Error(`the dashboard does not answer ${q.kind}`);
      default: {
        const never: never = q;
        throw new Error(`unknown query ${JSON.stringify(never)}`);
      }
    }
  }

  protected command(m: ViewCommand): Promise<void> {
    return runViewCommand(m, {
      folder: this.lease.run.folder,
      summary: () => this.lease.summary,
      reload: () => this.reload(),
    });
  }
}

type TraceDocument = vscode.CustomDocument;

/**
 * Opens `.pfw` / `.pfw.gz` files as their dashboard (a readonly custom editor) and shows whole runs in panels.
 * Panels come back after a reload: the serializer rebuilds them from the run id the webview saved in its state.
 */
export class Dashboards
  implements
    vscode.CustomReadonlyEditorProvider<TraceDocument>,
    vscode.WebviewPanelSerializer,
    vscode.Disposable
{
  private readonly panels = new Map<RunId, DashboardView>();

  constructor(private readonly deps: ViewDeps) {}

  static register(deps: ViewDeps, d = new Dashboards(deps)): vscode.Disposable {
    return vscode.Disposable.from(
      d,
      vscode.window.registerCustomEditorProvider(DASHBOARD_EDITOR, d, {
        supportsMultipleEditorsPerDocument: true,
        webviewOptions: { retainContextWhenHidden: false },
      }),
      vscode.window.registerCustomEditorProvider(SUMMARY_EDITOR, d, {
        supportsMultipleEditorsPerDocument: true,
        webviewOptions: { retainContextWhenHidden: false },
      }),
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_PANEL, d),
    );
  }

  openCustomDocument(uri: vscode.Uri): TraceDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: TraceDocument, panel: vscode.WebviewPanel): Promise<void> {
    const file = document.uri.fsPath;
    if (/\.dftrace-summary\.json$/i.test(file)) {
      const run = this.deps.registry.addSummaryFile(file);
      this.show(panel, run.id, run.label, 0);
      return;
    }
    const run = this.deps.registry.addFile(file);
    const siblings = await this.deps.registry.hasSiblings(file).catch(() => false);
    this.show(panel, run.id, run.label, siblings ? 1 : 0);
  }

  /** Opens (or reveals) the dashboard panel of a run. */
  open(runId: RunId): void {
    const existing = this.panels.get(runId);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const run = this.deps.registry.get(runId);
    if (!run) throw new Error(`unknown run ${runId}`);
    const panel = vscode.window.createWebviewPanel(
      DASHBOARD_PANEL,
      `Run ${run.label}`,
      vscode.ViewColumn.Active,
      {
        ...webviewOptions(this.deps.extensionUri),
        enableFindWidget: true,
      },
    );
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'activity.svg');
    this.track(runId, this.show(panel, runId, run.label, 0));
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const runId = (state as { runId?: string } | undefined)?.runId;
    if (!runId) {
      panel.dispose();
      return;
    }
    const run = runId.startsWith('file:')
      ? this.deps.registry.addFile(runId.slice(5))
      : runId.startsWith('sum:')
        ? this.deps.registry.addSummaryFile(runId.slice(4))
        : this.deps.registry.addFolder(runId.slice(4), false);
    this.track(run.id, this.show(panel, run.id, run.label, 0));
  }

  dispose(): void {
    for (const v of this.panels.values()) v.dispose();
  }

  private show(panel: vscode.WebviewPanel, runId: RunId, label: string, siblings: number): DashboardView {
    panel.webview.options = webviewOptions(this.deps.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.deps.extensionUri, 'dashboard', label);
    return new DashboardView(this.deps, panel, runId, { view: 'dashboard', runId, label, siblings });
  }

  private track(runId: RunId, view: DashboardView): void {
    this.panels.set(runId, view);
    view.panel.onDidDispose(() => {
      if (this.panels.get(runId) === view) this.panels.delete(runId);
    });
  }
}
