// The timeline's side of its protocol section (src/protocol.ts, "Timeline"): request/reply with ids.
import type {
  TimelineAnswerFor,
  TimelineFromWebview,
  TimelineQuery,
  TimelineToWebview,
} from '../../src/protocol';

interface VsCodeApi<S> {
  postMessage(msg: TimelineFromWebview): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export type TimelinePush = Exclude<TimelineToWebview, { type: 'reply' }>;

export class TimelineConnection<S extends object> {
  private readonly api = acquireVsCodeApi<S>();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private listener: (msg: TimelinePush) => void = () => undefined;

  constructor() {
    window.addEventListener('message', (e: MessageEvent<TimelineToWebview>) => this.onMessage(e.data));
  }

  get state(): S | undefined {
    return this.api.getState();
  }

  saveState(patch: Partial<S>): void {
    this.api.setState({ ...(this.api.getState() ?? {}), ...patch } as S);
  }

  on(listener: (msg: TimelinePush) => void): void {
    this.listener = listener;
  }

  send(msg: Exclude<TimelineFromWebview, { type: 'request' }>): void {
    this.api.postMessage(msg);
  }

  request<Q extends TimelineQuery>(query: Q): Promise<TimelineAnswerFor<Q>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ type: 'request', id, query });
    });
  }

  private onMessage(msg: TimelineToWebview): void {
    if (msg.type === 'reply') {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (!p) return;
      if ('ok' in msg.result) p.resolve(msg.result.ok);
      else p.reject(new Error(msg.result.err));
      return;
    }
    this.listener(msg);
  }
}
