import * as vscode from 'vscode';
import type { AnswerFor, FromWebview, Query, ToWebview, ViewTarget } from '../protocol';

export interface SessionHandlers {
  answer(query: Query): Promise<AnswerFor<Query>>;
  /** Messages that are not requests (open the event list, show a raw line, ...). */
  command(msg: Exclude<FromWebview, { type: 'ready' } | { type: 'request' }>): void | Promise<void>;
  /** The webview (re)started: it sent `ready` and got `init`; send it the current load state. */
  ready(): void;
}

/**
 * One webview's conversation with the host: the ready -> init handshake (a webview that reloads says `ready`
 * again and gets `init` again), request/reply by id with `{ok} | {err}` results, and commands.
 */
export class WebviewSession implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private disposed = false;

  constructor(
    private readonly webview: vscode.Webview,
    private target: ViewTarget,
    private readonly handlers: SessionHandlers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = webview.onDidReceiveMessage((msg: FromWebview) => this.onMessage(msg));
  }

  retarget(target: ViewTarget): void {
    this.target = target;
    this.post({ type: 'init', target });
  }

  post(msg: ToWebview): void {
    if (!this.disposed) void this.webview.postMessage(msg);
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
  }

  private async onMessage(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'init', target: this.target });
        this.handlers.ready();
        return;
      case 'request':
        try {
          const ok = await this.handlers.answer(msg.query);
          this.post({ type: 'reply', id: msg.id, result: { ok } });
        } catch (e) {
          const err = e instanceof Error ? e.message : String(e);
          this.log.warn(`request ${msg.query.kind} failed: ${err}`);
          this.post({ type: 'reply', id: msg.id, result: { err } });
        }
        return;
      case 'openEvents':
      case 'openDashboard':
      case 'openWholeRun':
      case 'showRawLine':
      case 'copyText':
      case 'selected':
      case 'revealTraceFile':
      case 'reload':
        try {
          await this.handlers.command(msg);
        } catch (e) {
          void vscode.window.showErrorMessage(`DFTracer: ${e instanceof Error ? e.message : String(e)}`);
        }
        return;
      default: {
        const never: never = msg;
        this.log.warn(`unknown webview message ${JSON.stringify(never)}`);
      }
    }
  }
}
