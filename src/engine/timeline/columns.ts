import { newReadStatus, readTraceBytes } from '../read/trace-bytes';
import { forEachLine } from '../read/lines';
import { LineFields, LineKind, Ph, scanLine } from '../scan/line-scanner';
import { Interner } from '../scan/interner';
import { bytesRule, callBytes } from '../model/io-ops';
import { readTreeFields, TreeFields } from './tree-fields';

/**
 * Every complete event of one trace file as columns, for the timeline: where it ran (pid, tid), when, what
 * (op, category, accessed file, bytes), where its line is, and its place in the call tree (id, p_idx, level).
 * About 100 bytes per event; the host keeps these for the run whose timeline is open.
 */
export interface TimelineColumns {
  length: number;
  /** Index of the trace file in its run. */
  trace: number;
  ts: Float64Array;
  dur: Float64Array;
  pid: Float64Array;
  tid: Float64Array;
  /** Ids into opNames / catNames / fileNames (fileNames[0] is '' = no file). */
  op: Uint16Array;
  cat: Uint16Array;
  file: Uint32Array;
  bytes: Float64Array;
  line: Float64Array;
  lineOffset: Float64Array;
  /** Event id, parent id (args.p_idx, -1 for roots) and args.level; NaN / -1 when not written. */
  id: Float64Array;
  pIdx: Float64Array;
  level: Int16Array;
  opNames: string[];
  catNames: string[];
  fileNames: string[];
  /** `PR` metadata: pid -> rank. */
  ranks: [number, number][];
  counters: CounterColumns;
}

/** Counter (`C`) and aggregated (2026 `ph` 2/3) events: one value per (event, numeric arg). */
export interface CounterColumns {
  length: number;
  ts: Float64Array;
  value: Float64Array;
  pid: Float64Array;
  /** Series name: `<event name>` or `<event name>.<arg>` when the event carries several numbers. */
  series: Uint16Array;
  seriesNames: string[];
}

export interface TimelineReadOptions {
  /** Only this op (the CLI's histogram reads only what it needs). */
  op?: string;
  /** Hash -> path across the run, for hashes this file uses but never declares. */
  runFileHashes?: Record<string, string>;
  signal?: AbortSignal;
}

class Grow {
  cap = 1024;
  n = 0;
  f64: Float64Array[];
  u16: Uint16Array[];
  u32: Uint32Array[];
  i16: Int16Array[];
  constructor(nf64: number, nu16: number, nu32: number, ni16: number) {
    this.f64 = Array.from({ length: nf64 }, () => new Float64Array(this.cap));
    this.u16 = Array.from({ length: nu16 }, () => new Uint16Array(this.cap));
    this.u32 = Array.from({ length: nu32 }, () => new Uint32Array(this.cap));
    this.i16 = Array.from({ length: ni16 }, () => new Int16Array(this.cap));
  }
  push(): number {
    if (this.n === this.cap) {
      this.cap *= 2;
      const g = <T extends Float64Array | Uint16Array | Uint32Array | Int16Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(this.cap);
        b.set(a);
        return b;
      };
      this.f64 = this.f64.map(g);
      this.u16 = this.u16.map(g);
      this.u32 = this.u32.map(g);
      this.i16 = this.i16.map(g);
    }
    return this.n++;
  }
}

// f64 columns of the event builder, in this order
const TS = 0,
  DUR = 1,
  PID = 2,
  TID = 3,
  BYTES = 4,
  LINE = 5,
  OFF = 6,
  ID = 7,
  PIDX = 8;

/** Reads one trace file (plain or gzip) into timeline columns, in file order. */
export async function readTimelineColumns(
  path: string,
  trace: number,
  opts: TimelineReadOptions = {},
): Promise<TimelineColumns> {
  const f = new LineFields();
  const tree = new TreeFields();
  const names = new Interner(['']);
  const cats = new Interner(['']);
  const files = new Interner(['']);
  const tokens = new Interner();
  /** Per hash token: the path id declared most recently, or -1. */
  const declared: number[] = [];
  /** Events whose hash was not yet declared: (row, token) pairs, resolved at the end. */
  const pending: number[] = [];
  const firstDecl = new Map<number, number>();
  const rules: number[] = [];
  const ev = new Grow(9, 2, 1, 1);
  const cn = new Grow(3, 1, 0, 0);
  const series = new Interner();
  const ranks = new Map<number, number>();
  const status = newReadStatus();
  await forEachLine(readTraceBytes(path, status, opts.signal), (b, start, end, lineNo, offset) => {
    if (scanLine(b, start, end, f) !== LineKind.Object) return;
    if (f.ph === Ph.Metadata) {
      const nameId = names.span(b, f.name);
      const name = names.strings[nameId];
      if (name === 'FH' && f.argName.present && f.argValue.present) {
        const tok = tokens.span(b, f.argValue);
        const p = files.span(b, f.argName);
        declared[tok] = p;
        if (!firstDecl.has(tok)) firstDecl.set(tok, p);
      } else if (name === 'PR') readRank(b, start, end, f.pid, ranks);
      return;
    }
    if (f.ph === Ph.Counter || f.ph === Ph.Aggregated) {
      if (opts.op !== undefined) return;
      readCounter(b, start, end, cn, series);
      return;
    }
    if (f.ph !== Ph.Complete && f.ph !== Ph.None) return;
    const nameId = names.span(b, f.name);
    if (opts.op !== undefined && names.strings[nameId] !== opts.op) return;
    if (Number.isNaN(f.ts)) return; // no time: nothing to place on a timeline
    rules[nameId] ??= bytesRule(names.strings[nameId]);
    const i = ev.push();
    const F = ev.f64;
    F[TS][i] = f.ts;
    F[DUR][i] = f.dur > 0 ? f.dur : 0;
    F[PID][i] = f.pid;
    F[TID][i] = f.tid;
    F[BYTES][i] = callBytes(rules[nameId], f.ret, f.size);
    F[LINE][i] = lineNo;
    F[OFF][i] = offset;
    readTreeFields(b, start, end, tree);
    F[ID][i] = tree.id;
    F[PIDX][i] = tree.pIdx;
    ev.i16[0][i] = tree.level;
    ev.u16[0][i] = nameId < 0 ? 0 : nameId;
    const c = cats.span(b, f.cat);
    ev.u16[1][i] = c < 0 ? 0 : c;
    let file = 0;
    if (f.fname.present) file = files.span(b, f.fname);
    else if (f.fhash.present) {
      const tok = tokens.span(b, f.fhash);
      const d = declared[tok];
      if (d !== undefined) file = d;
      else pending.push(i, tok);
    }
    ev.u32[0][i] = file;
  });
  for (let k = 0; k < pending.length; k += 2) {
    const tok = pending[k + 1];
    const local = firstDecl.get(tok);
    const text = tokens.strings[tok];
    ev.u32[0][pending[k]] = local ?? files.add(opts.runFileHashes?.[text] ?? `fhash:${text}`);
  }
  const n = ev.n;
  const s = <T extends Float64Array | Uint16Array | Uint32Array | Int16Array>(a: T): T => a.slice(0, n) as T;
  const m = cn.n;
  return {
    length: n,
    trace,
    ts: s(ev.f64[TS]),
    dur: s(ev.f64[DUR]),
    pid: s(ev.f64[PID]),
    tid: s(ev.f64[TID]),
    bytes: s(ev.f64[BYTES]),
    line: s(ev.f64[LINE]),
    lineOffset: s(ev.f64[OFF]),
    id: s(ev.f64[ID]),
    pIdx: s(ev.f64[PIDX]),
    level: s(ev.i16[0]),
    op: s(ev.u16[0]),
    cat: s(ev.u16[1]),
    file: s(ev.u32[0]),
    opNames: names.strings.slice(),
    catNames: cats.strings.slice(),
    fileNames: files.strings.slice(),
    ranks: [...ranks],
    counters: {
      length: m,
      ts: cn.f64[0].slice(0, m),
      value: cn.f64[1].slice(0, m),
      pid: cn.f64[2].slice(0, m),
      series: cn.u16[0].slice(0, m),
      seriesNames: series.strings.slice(),
    },
  };
}

/** Every typed array of a table, for moving it between threads without a copy. */
export function timelineBuffers(c: TimelineColumns): ArrayBuffer[] {
  const k = c.counters;
  return [
    c.ts,
    c.dur,
    c.pid,
    c.tid,
    c.op,
    c.cat,
    c.file,
    c.bytes,
    c.line,
    c.lineOffset,
    c.id,
    c.pIdx,
    c.level,
  ]
    .concat([k.ts, k.value, k.pid, k.series])
    .map((a) => a.buffer as ArrayBuffer);
}

function parseLine(b: Uint8Array, start: number, end: number): Record<string, unknown> | undefined {
  let text = Buffer.from(b.buffer, b.byteOffset + start, end - start)
    .toString('utf8')
    .trim();
  if (text.endsWith(',')) text = text.slice(0, -1);
  try {
    // raw control characters are legal in traces, not in JSON.parse: escape them as the scanner accepts them
    const v: unknown = JSON.parse(text.replace(/[\u0000-\u001f]/g, ' '));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

/** `PR` metadata names the process's rank: `args.name == "rank"` with the value, or an `args.rank` field. */
function readRank(b: Uint8Array, start: number, end: number, pid: number, ranks: Map<number, number>): void {
  const o = parseLine(b, start, end);
  const args = o?.args as Record<string, unknown> | undefined;
  if (!args) return;
  const rank = args.name === 'rank' ? num(args.value) : num(args.rank);
  const p = Number.isFinite(pid) ? pid : num(o?.pid);
  if (Number.isFinite(rank) && Number.isFinite(p)) ranks.set(p, rank);
}

// counter lines are rare (one per time bucket at most): parsing them as JSON is simplest and exact
function readCounter(b: Uint8Array, start: number, end: number, cn: Grow, series: Interner): void {
  const o = parseLine(b, start, end);
  if (!o) return;
  const ts = num(o.ts);
  if (!Number.isFinite(ts)) return;
  const name = typeof o.name === 'string' ? o.name : 'counter';
  const args = (o.args ?? {}) as Record<string, unknown>;
  const keys = Object.keys(args).filter(
    (k) => Number.isFinite(num(args[k])) && k !== 'p_idx' && k !== 'level',
  );
  for (const k of keys) {
    const i = cn.push();
    cn.f64[0][i] = ts;
    cn.f64[1][i] = num(args[k]);
    cn.f64[2][i] = num(o.pid);
    cn.u16[0][i] = series.add(keys.length === 1 ? name : `${name}.${k}`);
  }
}
