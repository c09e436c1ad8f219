import * as vscode from 'vscode';
import type { AnswerFor, LoadProgress, Query, ToWebview, ViewTarget } from '../protocol';
import type { ViewCommand } from './view-commands';
import type { RunId, RunLease, RunRegistry } from '../runs/run-registry';
import { WebviewSession } from './webview-session';

/** The settings a view's content depends on (not workers or the cache folder). */
const VIEW_SETTINGS = [
  'dftrace.storageTiers',
  'dftrace.slowWrites',
  'dftrace.hideSystemFiles',
  'dftrace.systemFilePatterns',
  'dftrace.checkpoint',
];

export interface ViewDeps {
  extensionUri: vscode.Uri;
  registry: RunRegistry;
  log: vscode.LogOutputChannel;
}

/**
 * What every view of one run has in common: it holds a lease on the run (so the parsed run stays in memory while
 * the view is open and is released after), forwards load progress to the webview, and answers its requests.
 */
export abstract class RunView implements vscode.Disposable {
  protected lease: RunLease;
  protected readonly session: WebviewSession;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    protected readonly deps: ViewDeps,
    readonly panel: vscode.WebviewPanel,
    readonly runId: RunId,
    target: ViewTarget,
  ) {
    this.lease = deps.registry.acquire(runId);
    this.lease.summary.catch(() => undefined); // shown through the state, not as an unhandled rejection
    this.session = new WebviewSession(
      panel.webview,
      target,
      {
        answer: (q) => this.answer(q),
        command: (m) => this.command(m),
        ready: () => this.sendState(),
      },
      deps.log,
    );
    this.subscriptions.push(
      deps.registry.onDidChangeState((id) => id === runId && this.sendState()),
      panel.onDidDispose(() => this.dispose()),
      // tiers, slow thresholds and the system-file filter are applied when a view asks: it must ask again
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (VIEW_SETTINGS.some((k) => e.affectsConfiguration(k))) this.post({ type: 'settingsChanged' });
      }),
    );
  }

  protected abstract answer(q: Query): Promise<AnswerFor<Query>>;
  protected abstract command(m: ViewCommand): void | Promise<void>;

  /** Reads the run again after a cancel or a failure: a new lease starts a new load; the old one is let go. */
  protected reload(): void {
    const old = this.lease;
    this.lease = this.deps.registry.acquire(this.runId);
    this.lease.summary.catch(() => undefined);
    old.dispose();
    this.sendState();
  }

  protected post(msg: ToWebview): void {
    this.session.post(msg);
  }

  protected sendState(): void {
    const state = this.deps.registry.state(this.runId);
    switch (state.kind) {
      case 'idle':
        return;
      case 'loading':
        this.post({ type: 'progress', progress: state.progress satisfies LoadProgress });
        return;
      case 'loaded':
        this.post({ type: 'loaded' });
        return;
      case 'failed':
        this.post({ type: 'loadFailed', message: state.message });
        return;
      default: {
        const never: never = state;
        throw new Error(`unknown state ${JSON.stringify(never)}`);
      }
    }
  }

  private disposed = false;
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.lease.dispose();
    this.session.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
