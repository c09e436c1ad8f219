import { isWriteOp, queryRunEvents, type EventColumns, type RunSummary, type WorkerPool } from '../engine';
import type { EventRef, EventsPage, SortSpec } from '../protocol';
import { toArrowIpc } from './arrow-ipc';

/**
 * Every event that touched one accessed file across a run's processes, with the orders and filters the event
 * list asks for. Pages are cut from a row order computed once per (sort, op filter); only the page crosses to the
 * webview, so a file with a million events scrolls like one with a hundred.
 */
export class FileEvents {
  private readonly orders = new Map<string, Uint32Array>();
  private readonly hostOf: string[];
  private readonly traceNames: string[];

  private constructor(
    readonly file: string,
    readonly cols: EventColumns,
    private readonly tsMin: number,
    run: RunSummary,
  ) {
    const hostByProc = new Map<string, string>();
    for (const p of run.processes) hostByProc.set(`${p.trace}:${p.pid}`, p.host);
    this.hostOf = Array.from(
      { length: cols.length },
      (_, i) => hostByProc.get(`${cols.trace[i]}:${cols.pid[i]}`) ?? '',
    );
    this.traceNames = run.files.map((f) => f.path);
  }

  static async load(run: RunSummary, file: string, pool: WorkerPool, cacheDir?: string): Promise<FileEvents> {
    const cols = await queryRunEvents(run, { file }, { pool, cacheDir });
    const t0 = Number.isFinite(run.totals.tsMin) ? run.totals.tsMin : 0;
    return new FileEvents(file, cols, t0, run);
  }

  get length(): number {
    return this.cols.length;
  }

  private counts: { op: string; count: number }[] | undefined;

  /** Ops on this file and how many events each has (computed once: every page carries them). */
  opCounts(): { op: string; count: number }[] {
    if (this.counts) return this.counts;
    const counts = new Map<number, number>();
    for (let i = 0; i < this.cols.length; i++)
      counts.set(this.cols.op[i], (counts.get(this.cols.op[i]) ?? 0) + 1);
    this.counts = [...counts]
      .map(([id, count]) => ({ op: this.cols.opNames[id], count }))
      .sort((a, b) => b.count - a.count);
    return this.counts;
  }

  /** Row order for a sort and op filter, computed once and kept. */
  order(sort: SortSpec, op?: string): Uint32Array {
    const key = `${sort.column}:${sort.descending}:${op ?? ''}`;
    let order = this.orders.get(key);
    if (order) return order;
    const c = this.cols;
    const opId = op === undefined ? -1 : c.opNames.indexOf(op);
    const rows: number[] = [];
    for (let i = 0; i < c.length; i++) if (opId < 0 || c.op[i] === opId) rows.push(i);
    if (op !== undefined && opId < 0) rows.length = 0;
    const byTime = (a: number, b: number) =>
      c.ts[a] - c.ts[b] || c.trace[a] - c.trace[b] || c.line[a] - c.line[b];
    const key1 = ((): ((a: number, b: number) => number) => {
      switch (sort.column) {
        case 'time':
          return byTime;
        case 'dur':
          return (a, b) => c.dur[a] - c.dur[b];
        case 'bytes':
          return (a, b) => c.bytes[a] - c.bytes[b];
        case 'offset': {
          const off = (i: number) => (Number.isNaN(c.fileOffset[i]) ? -1 : c.fileOffset[i]);
          return (a, b) => off(a) - off(b);
        }
        case 'pid':
          return (a, b) => c.pid[a] - c.pid[b] || c.tid[a] - c.tid[b];
        case 'op':
          return (a, b) =>
            c.opNames[c.op[a]] < c.opNames[c.op[b]] ? -1 : c.opNames[c.op[a]] > c.opNames[c.op[b]] ? 1 : 0;
        default: {
          const never: never = sort.column;
          throw new Error(`unknown sort ${String(never)}`);
        }
      }
    })();
    const dir = sort.descending ? -1 : 1;
    rows.sort((a, b) => dir * key1(a, b) || byTime(a, b));
    order = Uint32Array.from(rows);
    if (this.orders.size > 8) this.orders.clear();
    this.orders.set(key, order);
    return order;
  }

  page(start: number, count: number, sort: SortSpec, opFilter?: string): EventsPage {
    const order = this.order(sort, opFilter);
    const from = Math.max(0, Math.min(start, order.length));
    const to = Math.min(order.length, from + Math.max(0, count));
    const n = to - from;
    const c = this.cols;
    const f64 = () => new Float64Array(n);
    const index = f64();
    const relUs = f64();
    const ts = f64();
    const dur = f64();
    const bytes = f64();
    const offset = f64();
    const pid = f64();
    const tid = f64();
    const line = f64();
    const lineOffset = f64();
    const traceIndex = new Int32Array(n);
    const op: string[] = [];
    const cat: string[] = [];
    const host: string[] = [];
    const trace: string[] = [];
    for (let j = 0; j < n; j++) {
      const i = order[from + j];
      index[j] = from + j;
      ts[j] = c.ts[i];
      relUs[j] = c.ts[i] - this.tsMin;
      dur[j] = c.dur[i];
      bytes[j] = c.bytes[i];
      offset[j] = c.fileOffset[i];
      pid[j] = c.pid[i];
      tid[j] = c.tid[i];
      line[j] = c.line[i];
      lineOffset[j] = c.lineOffset[i];
      traceIndex[j] = c.trace[i];
      op.push(c.opNames[c.op[i]]);
      cat.push(c.catNames[c.cat[i]]);
      host.push(this.hostOf[i]);
      trace.push(this.traceNames[c.trace[i]] ?? '');
    }
    const rows = toArrowIpc({
      index,
      relUs,
      ts,
      dur,
      op,
      cat,
      bytes,
      offset,
      pid,
      tid,
      host,
      trace,
      traceIndex,
      line,
      lineOffset,
    });
    return { total: order.length, start: from, rows, ops: this.opCounts() };
  }

  /** Position of an event in an order, or -1 when the filter hides it. */
  locate(ref: EventRef, sort: SortSpec, op?: string): number {
    const order = this.order(sort, op);
    for (let j = 0; j < order.length; j++) {
      const i = order[j];
      if (this.cols.trace[i] === ref.trace && this.cols.line[i] === ref.line) return j;
    }
    return -1;
  }

  /** Number of write calls among the events (for the list's header). */
  writes(): number {
    let n = 0;
    for (let i = 0; i < this.cols.length; i++) if (isWriteOp(this.cols.opNames[this.cols.op[i]])) n++;
    return n;
  }
}
