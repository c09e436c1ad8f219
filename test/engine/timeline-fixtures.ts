// Builds timeline stores from plain event objects, for checking the fast computations against obvious ones.
import { TimelineStore, type TimelineColumns } from '../../src/engine/timeline';
import { rng } from '../../src/synth/random';

export interface Ev {
  ts: number;
  dur: number;
  pid: number;
  tid: number;
  op: string;
  cat: string;
  file?: string;
  bytes?: number;
  id?: number;
  pIdx?: number;
  level?: number;
}

export function columnsOf(events: Ev[], trace = 0, ranks: [number, number][] = []): TimelineColumns {
  const n = events.length;
  const dict = (key: (e: Ev) => string) => {
    const names = [''];
    const ids = events.map((e) => {
      const s = key(e);
      let i = names.indexOf(s);
      if (i < 0) i = names.push(s) - 1;
      return i;
    });
    return { names, ids };
  };
  const op = dict((e) => e.op);
  const cat = dict((e) => e.cat);
  const file = dict((e) => e.file ?? '');
  return {
    length: n,
    trace,
    ts: Float64Array.from(events, (e) => e.ts),
    dur: Float64Array.from(events, (e) => e.dur),
    pid: Float64Array.from(events, (e) => e.pid),
    tid: Float64Array.from(events, (e) => e.tid),
    op: Uint16Array.from(op.ids),
    cat: Uint16Array.from(cat.ids),
    file: Uint32Array.from(file.ids),
    bytes: Float64Array.from(events, (e) => e.bytes ?? 0),
    line: Float64Array.from(events, (_, i) => i + 1),
    lineOffset: Float64Array.from(events, (_, i) => i * 100),
    id: Float64Array.from(events, (e) => e.id ?? NaN),
    pIdx: Float64Array.from(events, (e) => e.pIdx ?? NaN),
    level: Int16Array.from(events, (e) => e.level ?? -1),
    opNames: op.names,
    catNames: cat.names,
    fileNames: file.names,
    ranks,
    counters: {
      length: 0,
      ts: new Float64Array(0),
      value: new Float64Array(0),
      pid: new Float64Array(0),
      series: new Uint16Array(0),
      seriesNames: [],
    },
  };
}

export function storeOf(events: Ev[], ranks: [number, number][] = []): TimelineStore {
  return new TimelineStore([columnsOf(events, 0, ranks)]);
}

const OPS = ['read', 'write', 'open', 'close', 'step'];
const CATS = ['POSIX', 'STDIO', 'app'];

/** Random events, overlapping any which way, on a few threads of a few processes. */
export function randomEvents(seed: number, n: number): Ev[] {
  const r = rng(seed);
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const pid = 100 + Math.floor(r() * 3);
    out.push({
      ts: Math.round(r() * 10_000) / 4,
      dur: r() < 0.1 ? 0 : Math.round(r() ** 3 * 3_000) / 4,
      pid,
      tid: r() < 0.7 ? pid : pid * 10 + Math.floor(r() * 2),
      op: OPS[Math.floor(r() * OPS.length)],
      cat: CATS[Math.floor(r() * CATS.length)],
      file: `/f${Math.floor(r() * 4)}`,
      bytes: Math.floor(r() * 1000),
    });
  }
  return out;
}

/**
 * Properly nested calls per thread (a random call tree laid out in time), with ids and, when `withParents`, the
 * p_idx of each call's parent.
 */
export function nestedEvents(seed: number, roots: number, withParents: boolean): Ev[] {
  const r = rng(seed);
  const out: Ev[] = [];
  let id = 1;
  const call = (pid: number, tid: number, start: number, span: number, depth: number, parent: number) => {
    const me = id++;
    const dur = Math.max(1, Math.floor(span * (0.5 + r() * 0.5)));
    out.push({
      ts: start,
      dur,
      pid,
      tid,
      op: `${OPS[Math.floor(r() * OPS.length)]}${depth}`,
      cat: CATS[depth % CATS.length],
      id: me,
      pIdx: withParents ? parent : undefined,
      level: withParents ? depth + 1 : undefined,
    });
    if (depth < 4) {
      let t = start;
      const kids = Math.floor(r() * 4);
      for (let k = 0; k < kids; k++) {
        const room = start + dur - t;
        if (room < 4) break;
        const gap = Math.floor(r() * room * 0.2);
        const sub = Math.floor((room - gap) * r() * 0.6);
        if (sub < 1) break;
        call(pid, tid, t + gap, sub, depth + 1, me);
        t += gap + sub;
      }
    }
  };
  for (let i = 0; i < roots; i++) {
    const pid = 7 + (i % 2);
    call(pid, pid + (i % 3 === 0 ? 1000 : 0), i * 10_000, 9_000, 0, -1);
  }
  // file order is end-time order in real traces: a child is written before its parent
  return out.sort((a, b) => a.ts + a.dur - (b.ts + b.dur));
}
