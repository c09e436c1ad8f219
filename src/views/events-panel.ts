import * as vscode from 'vscode';
import { tierOf } from '../engine/compare/tiers';
import type { AnswerFor, EventRef, Query } from '../protocol';
import type { RunId } from '../runs/run-registry';
import { readSettings } from '../runs/settings';
import { RunView, type ViewDeps } from './run-view';
import { runViewCommand, type ViewCommand } from './view-commands';
import { webviewHtml, webviewOptions } from './webview-html';
import { shortestUniqueSuffixes } from './path-labels';

export const EVENTS_PANEL = 'dftrace.eventsPanel';

export interface OpenEventsArgs {
  runId: RunId;
  file: string;
  op?: string;
  select?: EventRef;
}

export interface EventSelection {
  runId: RunId;
  file: string;
  ref: EventRef | null;
}

/** Every event that touched one accessed file, paged from the host into a virtualized list. */
class EventsView extends RunView {
  /** The event selected in the list, as the webview last reported it. */
  selected: EventRef | null = null;

  constructor(
    deps: ViewDeps,
    panel: vscode.WebviewPanel,
    readonly args: OpenEventsArgs,
    private readonly onSelect: (s: EventSelection) => void,
  ) {
    const run = deps.registry.get(args.runId);
    super(deps, panel, args.runId, {
      view: 'events',
      runId: args.runId,
      label: run?.label ?? args.runId,
      file: args.file,
      tier: tierOf(args.file, readSettings().tiers),
      op: args.op,
      select: args.select,
    });
  }

  /** Shows another op filter or selects another event in the open list. */
  select(args: OpenEventsArgs): void {
    this.panel.reveal();
    if (args.select) this.post({ type: 'select', ref: args.select, op: args.op });
    else
      this.session.retarget({
        view: 'events',
        runId: args.runId,
        label: this.lease.run.label,
        file: args.file,
        tier: tierOf(args.file, readSettings().tiers),
        op: args.op,
      });
  }

  protected async answer(q: Query): Promise<AnswerFor<Query>> {
    await this.lease.summary;
    const events = await this.deps.registry.fileEvents(this.runId, this.args.file);
    switch (q.kind) {
      case 'eventsPage':
        return events.page(q.start, q.count, q.sort, q.op);
      case 'locate':
        return { index: events.locate(q.ref, q.sort, q.op) };
      case 'summary':
      case 'writes':
      case 'compare':
      case 'patternOps':
      case 'insights':
      case 'insightsDiff':
        throw new Error(`the event list does not answer ${q.kind}`);
      default: {
        const never: never = q;
        throw new Error(`unknown query ${JSON.stringify(never)}`);
      }
    }
  }

  protected async command(m: ViewCommand): Promise<void> {
    if (m.type === 'selected') {
      this.selected = m.ref;
      this.onSelect({ runId: this.runId, file: this.args.file, ref: m.ref });
      return;
    }
    // an event list opens nothing further itself
    if (m.type === 'openEvents' || m.type === 'openWholeRun') return;
    await runViewCommand(m, { summary: () => this.lease.summary, reload: () => this.reload() });
  }
}

/** One event-list panel per (run, accessed file), reused when the same file is opened again. */
export class EventPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly views = new Map<string, EventsView>();
  private readonly opened = new vscode.EventEmitter<OpenEventsArgs>();
  private readonly selection = new vscode.EventEmitter<EventSelection>();
  /** Fires after a list is shown or re-targeted. */
  readonly onDidOpen = this.opened.event;
  /** Fires when a list's selected event changes (after a jump, once the webview has selected it). */
  readonly onDidSelect = this.selection.event;

  constructor(private readonly deps: ViewDeps) {}

  static register(deps: ViewDeps): { panels: EventPanels; disposable: vscode.Disposable } {
    const panels = new EventPanels(deps);
    return {
      panels,
      disposable: vscode.Disposable.from(
        panels,
        panels.opened,
        panels.selection,
        vscode.window.registerWebviewPanelSerializer(EVENTS_PANEL, panels),
      ),
    };
  }

  open(args: OpenEventsArgs): void {
    const key = `${args.runId}\u0000${args.file}`;
    const existing = this.views.get(key);
    if (existing) existing.select(args);
    else {
      const name = this.tabName(args.runId, args.file);
      const panel = vscode.window.createWebviewPanel(
        EVENTS_PANEL,
        `Events: ${name}`,
        vscode.ViewColumn.Beside,
        {
          ...webviewOptions(this.deps.extensionUri),
          enableFindWidget: true,
        },
      );
      this.show(key, panel, args);
    }
    this.opened.fire(args);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const s = state as Partial<OpenEventsArgs> | undefined;
    if (!s?.runId || s.file === undefined) {
      panel.dispose();
      return;
    }
    const run = s.runId.startsWith('file:')
      ? this.deps.registry.addFile(s.runId.slice(5))
      : s.runId.startsWith('sum:')
        ? this.deps.registry.addSummaryFile(s.runId.slice(4))
        : this.deps.registry.addFolder(s.runId.slice(4), false);
    this.show(`${run.id}\u0000${s.file}`, panel, { runId: run.id, file: s.file, op: s.op, select: s.select });
  }

  /** The selected event of the list that is in front (for "Show raw line" from the command palette). */
  activeSelection(): EventSelection | undefined {
    for (const v of this.views.values()) {
      if (v.panel.active) return { runId: v.runId, file: v.args.file, ref: v.selected };
    }
    return undefined;
  }

  dispose(): void {
    for (const v of this.views.values()) v.dispose();
  }

  /** The tab's name: the shortest path suffix that tells the file apart from the run's other files. */
  private tabName(runId: RunId, file: string): string {
    if (!file) return '(no file)';
    const state = this.deps.registry.state(runId);
    const files = state.kind === 'loaded' ? state.summary.ops.map((o) => o.file).filter(Boolean) : [file];
    return shortestUniqueSuffixes([...files, file]).get(file) ?? file;
  }

  private show(key: string, panel: vscode.WebviewPanel, args: OpenEventsArgs): void {
    panel.webview.options = webviewOptions(this.deps.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.deps.extensionUri, 'events', `Events: ${args.file}`);
    panel.iconPath = new vscode.ThemeIcon('list-flat');
    const view = new EventsView(this.deps, panel, args, (s) => this.selection.fire(s));
    this.views.set(key, view);
    panel.onDidDispose(() => {
      if (this.views.get(key) === view) this.views.delete(key);
    });
  }
}
