import { Interner } from '../scan/interner';
import type { CounterColumns, TimelineColumns } from './columns';

/** One lane: a thread of a process. Processes are grouped by host and ordered by rank (PR metadata), else pid. */
export interface Lane {
  host: string;
  pid: number;
  tid: number;
  /** NaN when no PR metadata named it. */
  rank: number;
  /** Trace files that wrote events of this thread (an app trace and a POSIX preload trace share a thread). */
  traces: number[];
  events: number;
}

export interface CounterSeries {
  name: string;
  pid: number;
  ts: Float64Array;
  value: Float64Array;
}

/**
 * The run's events as one table of columns, with lanes and a per-lane time order. Built once when a timeline opens
 * (from the trace files re-read in the workers); every question after that (density tiles, range aggregates,
 * call tree, histograms) is answered from it without reading the traces again.
 */
export class TimelineStore {
  readonly length: number;
  readonly ts: Float64Array;
  readonly dur: Float64Array;
  readonly pid: Float64Array;
  readonly tid: Float64Array;
  readonly bytes: Float64Array;
  readonly line: Float64Array;
  readonly lineOffset: Float64Array;
  readonly id: Float64Array;
  readonly pIdx: Float64Array;
  readonly level: Int16Array;
  readonly trace: Int32Array;
  readonly op: Uint16Array;
  readonly cat: Uint16Array;
  readonly file: Uint32Array;
  readonly opNames: string[];
  readonly catNames: string[];
  readonly fileNames: string[];
  readonly lanes: Lane[];
  /** Lane of each row. */
  readonly lane: Uint32Array;
  /** Rows ordered by (lane, ts, end descending, row): lane k's rows are order[laneStart[k] .. laneStart[k+1]). */
  readonly order: Uint32Array;
  readonly laneStart: Uint32Array;
  /** Along `order`, the largest end time so far within the lane: binary search finds events still open at t. */
  readonly maxEnd: Float64Array;
  readonly counters: CounterSeries[];
  readonly tsMin: number;
  readonly tsMax: number;

  constructor(parts: TimelineColumns[], hostOf: (trace: number, pid: number) => string = () => '') {
    const n = parts.reduce((a, p) => a + p.length, 0);
    this.length = n;
    const f64 = () => new Float64Array(n);
    this.ts = f64();
    this.dur = f64();
    this.pid = f64();
    this.tid = f64();
    this.bytes = f64();
    this.line = f64();
    this.lineOffset = f64();
    this.id = f64();
    this.pIdx = f64();
    this.level = new Int16Array(n);
    this.trace = new Int32Array(n);
    this.op = new Uint16Array(n);
    this.cat = new Uint16Array(n);
    this.file = new Uint32Array(n);
    const ops = new Interner(['']);
    const cats = new Interner(['']);
    const files = new Interner(['']);
    const rankOf = new Map<number, number>();
    const laneIds = new Map<string, number>();
    const lanes: Lane[] = [];
    const laneOfRow = new Uint32Array(n);
    let at = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of parts) {
      for (const [pid, rank] of p.ranks) rankOf.set(pid, rank);
      const opMap = p.opNames.map((s) => ops.add(s));
      const catMap = p.catNames.map((s) => cats.add(s));
      const fileMap = p.fileNames.map((s) => files.add(s));
      this.ts.set(p.ts, at);
      this.dur.set(p.dur, at);
      this.pid.set(p.pid, at);
      this.tid.set(p.tid, at);
      this.bytes.set(p.bytes, at);
      this.line.set(p.line, at);
      this.lineOffset.set(p.lineOffset, at);
      this.id.set(p.id, at);
      this.pIdx.set(p.pIdx, at);
      this.level.set(p.level, at);
      this.trace.fill(p.trace, at, at + p.length);
      let lastKey = '';
      let lastLane = -1;
      for (let j = 0; j < p.length; j++) {
        const i = at + j;
        this.op[i] = opMap[p.op[j]];
        this.cat[i] = catMap[p.cat[j]];
        this.file[i] = fileMap[p.file[j]];
        if (p.ts[j] < lo) lo = p.ts[j];
        if (p.ts[j] + p.dur[j] > hi) hi = p.ts[j] + p.dur[j];
        const host = hostOf(p.trace, p.pid[j]);
        const key = `${host}\u0000${p.pid[j]}\u0000${p.tid[j]}`;
        let k = key === lastKey ? lastLane : laneIds.get(key);
        if (k === undefined) {
          k = lanes.length;
          laneIds.set(key, k);
          lanes.push({ host, pid: p.pid[j], tid: p.tid[j], rank: NaN, traces: [], events: 0 });
        }
        lastKey = key;
        lastLane = k;
        const lane = lanes[k];
        lane.events++;
        if (lane.traces[lane.traces.length - 1] !== p.trace && !lane.traces.includes(p.trace))
          lane.traces.push(p.trace);
        laneOfRow[i] = k;
      }
      at += p.length;
    }
    this.tsMin = n > 0 ? lo : 0;
    this.tsMax = n > 0 ? hi : 0;
    this.opNames = ops.strings.slice();
    this.catNames = cats.strings.slice();
    this.fileNames = files.strings.slice();
    for (const l of lanes) l.rank = rankOf.get(l.pid) ?? NaN;
    // hosts in order of their lowest rank (else name), processes by rank else pid, the main thread first
    const hostKey = new Map<string, number>();
    for (const l of lanes) {
      const r = Number.isNaN(l.rank) ? Infinity : l.rank;
      hostKey.set(l.host, Math.min(hostKey.get(l.host) ?? Infinity, r));
    }
    const procKey = (l: Lane) => (Number.isNaN(l.rank) ? Infinity : l.rank);
    const sorted = lanes
      .map((_, k) => k)
      .sort((a, b) => {
        const A = lanes[a];
        const B = lanes[b];
        if (A.host !== B.host)
          return hostKey.get(A.host)! - hostKey.get(B.host)! || (A.host < B.host ? -1 : 1);
        if (A.pid !== B.pid) return procKey(A) - procKey(B) || A.pid - B.pid;
        const mainA = A.tid === A.pid ? 0 : 1;
        const mainB = B.tid === B.pid ? 0 : 1;
        return mainA - mainB || A.tid - B.tid;
      });
    const newIndex = new Uint32Array(lanes.length);
    sorted.forEach((old, k) => (newIndex[old] = k));
    this.lanes = sorted.map((k) => lanes[k]);
    for (let i = 0; i < n; i++) laneOfRow[i] = newIndex[laneOfRow[i]];
    this.lane = laneOfRow;
    // counting sort by lane, then by time within each lane
    const laneStart = new Uint32Array(this.lanes.length + 1);
    for (let i = 0; i < n; i++) laneStart[laneOfRow[i] + 1]++;
    for (let k = 0; k < this.lanes.length; k++) laneStart[k + 1] += laneStart[k];
    const fill = laneStart.slice(0, this.lanes.length);
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[fill[laneOfRow[i]]++] = i;
    const ts = this.ts;
    const dur = this.dur;
    for (let k = 0; k < this.lanes.length; k++) {
      order
        .subarray(laneStart[k], laneStart[k + 1])
        .sort((a, b) => ts[a] - ts[b] || ts[b] + dur[b] - (ts[a] + dur[a]) || a - b);
    }
    this.order = order;
    this.laneStart = laneStart;
    const maxEnd = new Float64Array(n);
    for (let k = 0; k < this.lanes.length; k++) {
      let m = -Infinity;
      for (let q = laneStart[k]; q < laneStart[k + 1]; q++) {
        const r = order[q];
        m = Math.max(m, ts[r] + dur[r]);
        maxEnd[q] = m;
      }
    }
    this.maxEnd = maxEnd;
    this.counters = collectCounters(parts.map((p) => p.counters));
  }

  /** Position in `order` of lane k's first event that may still be open at time t (or end exactly at t). */
  firstOpenAt(k: number, t: number): number {
    let lo = this.laneStart[k];
    let hi = this.laneStart[k + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.maxEnd[mid] >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Name of the thing a row is grouped under. */
  keyOf(row: number, by: GroupBy): string {
    switch (by) {
      case 'op':
        return this.opNames[this.op[row]];
      case 'cat':
        return this.catNames[this.cat[row]];
      case 'file':
        return this.fileNames[this.file[row]];
      case 'process': {
        const l = this.lanes[this.lane[row]];
        return processLabel(l);
      }
      default: {
        const never: never = by;
        throw new Error(`unknown grouping ${String(never)}`);
      }
    }
  }
}

export type GroupBy = 'op' | 'file' | 'process' | 'cat';

export function processLabel(l: Lane): string {
  const rank = Number.isNaN(l.rank) ? '' : `rank ${l.rank} `;
  return `${l.host ? `${l.host} ` : ''}${rank}pid ${l.pid}`;
}

function collectCounters(parts: CounterColumns[]): CounterSeries[] {
  const by = new Map<string, { name: string; pid: number; ts: number[]; value: number[] }>();
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const name = p.seriesNames[p.series[i]];
      const key = `${name}\u0000${p.pid[i]}`;
      let s = by.get(key);
      if (!s) by.set(key, (s = { name, pid: p.pid[i], ts: [], value: [] }));
      s.ts.push(p.ts[i]);
      s.value.push(p.value[i]);
    }
  }
  return [...by.values()].map((s) => {
    const idx = s.ts.map((_, i) => i).sort((a, b) => s.ts[a] - s.ts[b]);
    return {
      name: s.name,
      pid: s.pid,
      ts: Float64Array.from(idx, (i) => s.ts[i]),
      value: Float64Array.from(idx, (i) => s.value[i]),
    };
  });
}
