// The webview side of src/protocol.ts: one place that talks to the extension host.
import type { AnswerFor, FromWebview, Query, ToWebview } from '../../src/protocol';

interface VsCodeApi<S> {
  postMessage(msg: FromWebview): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

type Listener = (msg: Exclude<ToWebview, { type: 'reply' }>) => void;

/**
 * Request/reply over postMessage with ids, plus the push messages (init, progress, select). `ready` is sent once
 * the page has set up its listeners; the host answers with `init`, also after a reload of the webview.
 */
export class HostConnection<S extends object> {
  private readonly api = acquireVsCodeApi<S>();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners: Listener[] = [];

  constructor() {
    window.addEventListener('message', (e: MessageEvent<ToWebview>) => this.onMessage(e.data));
  }

  /** Saved view state (restored after the webview reloads or VS Code restarts). */
  get state(): S | undefined {
    return this.api.getState();
  }

  saveState(patch: Partial<S>): void {
    this.api.setState({ ...(this.api.getState() ?? {}), ...patch } as S);
  }

  on(listener: Listener): void {
    this.listeners.push(listener);
  }

  ready(): void {
    this.api.postMessage({ type: 'ready' });
  }

  send(msg: Exclude<FromWebview, { type: 'ready' } | { type: 'request' }>): void {
    this.api.postMessage(msg);
  }

  request<Q extends Query>(query: Q): Promise<AnswerFor<Q>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ type: 'request', id, query });
    });
  }

  private onMessage(msg: ToWebview): void {
    if (msg.type === 'reply') {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (!p) return;
      if ('ok' in msg.result) p.resolve(msg.result.ok);
      else p.reject(new Error(msg.result.err));
      return;
    }
    for (const l of this.listeners) l(msg);
  }
}
