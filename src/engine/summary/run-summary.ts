import { mergeBins, NO_BINS } from './bins';
import {
  mergeWithPacked,
  S_DUR,
  S_LINE,
  S_BLOCK,
  S_BYTES,
  S_OFFSET,
  S_PID,
  S_TID,
  S_TS,
  SLOW_FIELDS,
  unpackCall,
  type PackedSlowest,
} from './packed-slowest';
import {
  UNRESOLVED_PREFIX,
  type AppSpan,
  type BadLineExample,
  type FormatEra,
  type IoCall,
  type TraceFileSummary,
} from '../model/types';
import { concatWriteTables, orderBy, reorderWrites, WRITES_PER_RUN, type WriteTable } from './write-table';

/** A call located in the run: which trace file (index into `RunSummary.files`) and where in it. */
export interface RunIoCall extends IoCall {
  trace: number;
  file: string;
  cat: string;
  op: string;
}

export interface RunOpRow {
  file: string;
  cat: string;
  op: string;
  count: number;
  bytes: number;
  durUs: number;
  durMaxUs: number;
  /** Trace files (indices) that touched this file with this op. */
  traces: number[];
  /** The slowest calls of this row across the run, slowest first. */
  slowest: RunIoCall[];
}

export interface RunSpan extends AppSpan {
  trace: number;
}

export interface RunBadLine extends BadLineExample {
  trace: number;
}

export interface RunTimeSeries {
  file: string;
  kind: 'read' | 'write';
  /** [binIndex, bytes, calls] triples, sorted by bin. */
  bins: Float64Array;
}

/** The whole run, every hash resolved as far as the run allows. Plain data: cloneable and JSON-able. */
export interface RunSummary {
  files: TraceFileSummary[];
  totals: {
    traceFiles: number;
    events: number;
    metadata: number;
    counters: number;
    badLines: number;
    truncatedFiles: number;
    unreadableFiles: number;
    compressedBytes: number;
    uncompressedBytes: number;
    eventsWithArgs: number;
    eventsWithFile: number;
    tsMin: number;
    tsMax: number;
  };
  categories: Record<string, number>;
  ops: RunOpRow[];
  processes: { pid: number; host: string; threads: number; events: number; trace: number }[];
  hosts: string[];
  eras: Partial<Record<FormatEra, number>>;
  binUs: number;
  timeline: RunTimeSeries[];
  /** The slowest calls of the whole run, slowest first (at most SLOWEST_IN_RUN). */
  slowest: RunIoCall[];
  spans: RunSpan[];
  badExamples: RunBadLine[];
  /** Hashes no FH/HH metadata in the run resolved. */
  unresolvedFileHashes: number;
  /** Write calls of the whole run (`trace` says from which file), sampled past WRITES_PER_RUN rows. */
  writes: WriteTable;
}

/**
 * Merges per-file summaries into the run's summary. Hashes a file could not resolve itself are looked up in the
 * tables the other files declared (FORMAT.md: per file first, then across the run), else shown as `fhash:<hash>`.
 */
export const SLOWEST_PER_ROW = 10;
export const SLOWEST_IN_RUN = 500;

export function mergeRun(files: TraceFileSummary[], binUs: number): RunSummary {
  const merger = new RunMerger(binUs);
  files.forEach((f, trace) => merger.add(f, trace));
  return merger.finish();
}

/**
 * Folds trace files into a run one at a time, as they finish, so that memory holds the run's result and a slim
 * copy of each file (its op rows without their slowest calls), not every file's full summary: a run of a
 * thousand files costs what its distinct (file, op) rows and time bins cost. File names stay unresolved until
 * finish(), because a hash one file uses may be declared by a file that comes later.
 */
export class RunMerger {
  private readonly files: TraceFileSummary[] = [];
  /** hash -> [text, trace]: the declaration of the earliest trace file wins, whatever order files finish in. */
  private readonly runFileHashes = new Map<string, [string, number]>();
  private readonly runHostHashes = new Map<string, [string, number]>();
  private readonly totals: RunSummary['totals'] = {
    traceFiles: 0,
    events: 0,
    metadata: 0,
    counters: 0,
    badLines: 0,
    truncatedFiles: 0,
    unreadableFiles: 0,
    compressedBytes: 0,
    uncompressedBytes: 0,
    eventsWithArgs: 0,
    eventsWithFile: 0,
    tsMin: Infinity,
    tsMax: -Infinity,
  };
  private readonly categories: Record<string, number> = {};
  private readonly ops = new Map<string, RunOpRow>();
  private readonly processes: RunSummary['processes'] = [];
  private readonly eras: Partial<Record<FormatEra, number>> = {};
  private readonly series = new Map<string, Float64Array>();
  private readonly spans: RunSpan[] = [];
  private readonly badExamples: RunBadLine[] = [];
  /** Write tables not yet joined; joined (and thinned to the cap) whenever they hold twice the cap. */
  private writeParts: { table: WriteTable; trace?: number }[] = [];
  private writeRows = 0;

  constructor(private readonly binUs: number) {}

  add(f: TraceFileSummary, trace: number): void {
    const t = this.totals;
    t.traceFiles++;
    t.events += f.events;
    t.metadata += f.metadata;
    t.counters += f.counters;
    t.badLines += f.badLines;
    t.eventsWithArgs += f.eventsWithArgs;
    t.eventsWithFile += f.eventsWithFile;
    if (f.read.truncated) t.truncatedFiles++;
    if (f.error) t.unreadableFiles++;
    t.compressedBytes += f.read.compressedBytes;
    t.uncompressedBytes += f.read.uncompressedBytes;
    if (f.tsMin < t.tsMin) t.tsMin = f.tsMin;
    if (f.tsMax > t.tsMax) t.tsMax = f.tsMax;
    this.eras[f.era] = (this.eras[f.era] ?? 0) + 1;
    for (const [h, name] of f.fileHashes) declare(this.runFileHashes, h, name, trace);
    for (const [h, name] of f.hostHashes) declare(this.runHostHashes, h, name, trace);
    for (const [cat, n] of Object.entries(f.categories))
      this.categories[cat] = (this.categories[cat] ?? 0) + n;
    const packed = f.packedSlowest;
    f.ops.forEach((row, r) => {
      if (packed) {
        mergePackedCalls(opRow(this.ops, row.file, row, trace, false), packed, r, trace);
        return;
      }
      addOpRow(
        this.ops,
        row.file,
        row,
        trace,
        // the file's calls become the run's: used nowhere else, so extended in place rather than copied
        row.slowest.map((c) => Object.assign(c, { trace, file: row.file, cat: row.cat, op: row.op })),
      );
    });
    for (const p of f.processes) {
      this.processes.push({ pid: p.pid, host: p.host, threads: p.threads.length, events: p.events, trace });
    }
    for (const s of f.timeline) addBins(this.series, `${s.kind}\u0000${s.file}`, s.bins);
    for (const s of f.spans) this.spans.push({ ...s, trace });
    for (const b of f.badExamples) this.badExamples.push({ ...b, trace });
    if (f.writes && f.writes.length > 0) {
      this.writeParts.push({ table: f.writes, trace });
      this.writeRows += f.writes.length;
      if (this.writeRows > 2 * WRITES_PER_RUN) {
        const joined = concatWriteTables(this.writeParts, WRITES_PER_RUN);
        this.writeParts = [{ table: joined }];
        this.writeRows = joined.length;
      }
    }
    // what the run keeps of the file: its own figures, without what was merged above
    // (in place: the summary is the merger's now, and a copy of every row was most of the time spent here)
    for (const o of f.ops) if (o.slowest.length > 0) o.slowest = [];
    this.files[trace] = {
      ...f,
      packedSlowest: undefined,
      timeline: [],
      spans: [],
      writes: undefined,
    };
  }

  finish(): RunSummary {
    const unresolved = new Set<string>();
    const fileName = (name: string): string => {
      if (!name.startsWith(UNRESOLVED_PREFIX)) return name;
      const hash = name.slice(UNRESOLVED_PREFIX.length);
      const resolved = this.runFileHashes.get(hash);
      if (resolved !== undefined) return resolved[0];
      unresolved.add(hash);
      return `fhash:${hash}`;
    };
    const hostName = (name: string): string => {
      if (!name.startsWith(UNRESOLVED_PREFIX)) return name;
      const hash = name.slice(UNRESOLVED_PREFIX.length);
      return this.runHostHashes.get(hash)?.[0] ?? `hhash:${hash}`;
    };
    // rows keyed by raw names: resolving may join two of them (a path and its hash); when no name changes, the
    // rows stand as they are
    const renamed = [...this.ops.values()].some((row) => fileName(row.file) !== row.file);
    const ops = renamed ? new Map<string, RunOpRow>() : this.ops;
    for (const row of renamed ? this.ops.values() : []) {
      const file = fileName(row.file);
      addOpRow(
        ops,
        file,
        row,
        -1,
        file === row.file ? row.slowest : row.slowest.map((c) => ({ ...c, file })),
        row.traces,
      );
    }
    const series = new Map<string, Float64Array>();
    for (const [key, bins] of this.series) {
      const [kind, raw] = key.split('\u0000');
      const resolved = `${kind}\u0000${fileName(raw)}`;
      const prev = series.get(resolved);
      // a copy before adding into it: the first list is the merger's own (mergeBins may add in place)
      series.set(resolved, prev === undefined ? bins : mergeBins(prev.slice(), bins));
    }
    const timeline: RunTimeSeries[] = [];
    for (const [key, bins] of series) {
      const [kind, file] = key.split('\u0000') as ['read' | 'write', string];
      timeline.push({ file, kind, bins });
    }
    // files may have been added in any order: lists come out in trace-file order
    const byLine = (a: { trace: number; line: number }, b: { trace: number; line: number }) =>
      a.trace - b.trace || a.line - b.line;
    this.spans.sort(byLine);
    this.badExamples.sort(byLine);
    this.processes.sort((a, b) => a.trace - b.trace);
    const hosts = new Set<string>();
    const processes = this.processes.map((p) => {
      const host = hostName(p.host);
      if (host) hosts.add(host);
      return { ...p, host };
    });
    const totals = { ...this.totals };
    if (totals.tsMin === Infinity) {
      totals.tsMin = NaN;
      totals.tsMax = NaN;
    }
    const slowest: RunIoCall[] = [];
    for (const row of ops.values()) {
      if (!renamed) row.traces.sort((a, b) => a - b); // files finish in any order
      // rows filled from one trace file are in order already; only a row that mixed files needs sorting
      if (!inOrderRows.has(row) && !inOrder(row.slowest)) row.slowest.sort(slowestFirst);
      for (const call of row.slowest) slowest.push(call);
    }
    const top = slowestOf(slowest, SLOWEST_IN_RUN);
    const joined = concatWriteTables(this.writeParts, WRITES_PER_RUN);
    const order = writesOrder(joined);
    const sorted = order ? reorderWrites(joined, order) : joined;
    const writes = { ...sorted, files: sorted.files.map(fileName) };
    return {
      files: this.files,
      totals,
      // most events first: the order files and workers finish in must not show in the output
      categories: Object.fromEntries(
        Object.entries(this.categories).sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])),
      ),
      ops: [...ops.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.cat, b.cat) || cmp(a.op, b.op)),
      processes,
      hosts: [...hosts].sort(),
      eras: this.eras,
      binUs: this.binUs,
      timeline,
      slowest: top,
      spans: this.spans,
      badExamples: this.badExamples,
      unresolvedFileHashes: unresolved.size,
      writes,
    };
  }
}

/** Adds a row's figures under `file` (and a trace, or the row's traces), keeping the slowest calls bounded. */
function addOpRow(
  rows: Map<string, RunOpRow>,
  file: string,
  row: { cat: string; op: string; count: number; bytes: number; durUs: number; durMaxUs: number },
  trace: number,
  calls: RunIoCall[],
  traces?: number[],
): void {
  const acc = opRow(rows, file, row, traces ?? trace, traces !== undefined);
  for (const c of calls) acc.slowest.push(c);
  if (acc.slowest.length > SLOWEST_PER_ROW) {
    acc.slowest.sort(slowestFirst);
    acc.slowest.length = SLOWEST_PER_ROW;
  } else if (calls.length > 0) inOrderRows.delete(acc);
}

/** Rows whose slowest list is known to be in order (kept so by mergePackedCalls), to skip checking it again. */
const inOrderRows = new WeakSet<RunOpRow>();

/** The run's row for (file, cat, op), created when new, with the row's figures and traces added. */
function opRow(
  rows: Map<string, RunOpRow>,
  file: string,
  row: { cat: string; op: string; count: number; bytes: number; durUs: number; durMaxUs: number },
  traces: number[] | number,
  sortTraces: boolean,
): RunOpRow {
  const key = `${file}\u0000${row.cat}\u0000${row.op}`;
  let acc = rows.get(key);
  if (!acc) {
    acc = {
      file,
      cat: row.cat,
      op: row.op,
      count: 0,
      bytes: 0,
      durUs: 0,
      durMaxUs: 0,
      traces: [],
      slowest: [],
    };
    rows.set(key, acc);
  }
  acc.count += row.count;
  acc.bytes += row.bytes;
  acc.durUs += row.durUs;
  acc.durMaxUs = Math.max(acc.durMaxUs, row.durMaxUs);
  if (typeof traces === 'number') {
    if (!acc.traces.includes(traces)) acc.traces.push(traces);
  } else for (const t of traces) if (!acc.traces.includes(t)) acc.traces.push(t);
  if (sortTraces) acc.traces.sort((a, b) => a - b);
  return acc;
}

/**
 * Merges one trace file's packed slowest calls for a row into the run's row, keeping the SLOWEST_PER_ROW slowest in
 * order: both lists are slowest first, so one merging pass does, and a packed call becomes an object only when it
 * makes the cut (with many trace files sharing a row, most do not).
 */
function mergePackedCalls(acc: RunOpRow, p: PackedSlowest, r: number, trace: number): void {
  const n = p.counts[r];
  if (n === 0) return;
  const a = acc.slowest;
  const pool = p.pool;
  const base = r * p.k * SLOW_FIELDS;
  // the usual case once a few files are in: this file's slowest call does not even reach the row's last place
  if (a.length >= SLOWEST_PER_ROW && pool[base + S_DUR] < a[a.length - 1].dur && inOrderRows.has(acc)) return;
  if (a.length > 1 && !inOrderRows.has(acc) && !inOrder(a)) a.sort(slowestFirst);
  const out = mergeWithPacked(
    a,
    p,
    r,
    SLOWEST_PER_ROW,
    (c, at) => {
      const d = pool[at + S_DUR] - c.dur;
      return d < 0 || (d === 0 && (c.trace < trace || (c.trace === trace && c.line <= pool[at + S_LINE])));
    },
    (at) =>
      // one literal with every field: tens of thousands of these are made for a big file's rows
      pool[at + S_BLOCK] < 0
        ? {
            ts: pool[at + S_TS],
            dur: pool[at + S_DUR],
            bytes: pool[at + S_BYTES],
            pid: pool[at + S_PID],
            tid: pool[at + S_TID],
            line: pool[at + S_LINE],
            offset: pool[at + S_OFFSET],
            trace,
            file: acc.file,
            cat: acc.cat,
            op: acc.op,
          }
        : Object.assign(unpackCall(p, at), { trace, file: acc.file, cat: acc.cat, op: acc.op }),
  );
  acc.slowest = out;
  inOrderRows.add(acc);
}

function declare(table: Map<string, [string, number]>, hash: string, text: string, trace: number): void {
  const known = table.get(hash);
  if (!known || trace < known[1]) table.set(hash, [text, trace]);
}

/** The run's writes in (trace file, line) order; undefined when they are in that order already. */
function writesOrder(t: WriteTable): ArrayLike<number> | undefined {
  let maxLine = 0;
  let maxTrace = 0;
  for (let i = 0; i < t.length; i++) {
    maxLine = Math.max(maxLine, t.line[i]);
    maxTrace = Math.max(maxTrace, t.trace![i]);
  }
  // one exact number per row when the two fit (they always do in practice), else a comparator
  if ((maxTrace + 1) * (maxLine + 1) < Number.MAX_SAFE_INTEGER) {
    const key = new Float64Array(t.length);
    for (let i = 0; i < t.length; i++) key[i] = t.trace![i] * (maxLine + 1) + t.line[i];
    return orderBy(key);
  }
  return Array.from(t.line.keys()).sort((a, b) => t.trace![a] - t.trace![b] || t.line[a] - t.line[b]);
}

function addBins(series: Map<string, Float64Array>, key: string, flat: Float64Array): void {
  series.set(key, mergeBins(series.get(key) ?? NO_BINS, flat));
}

/**
 * The n slowest calls, slowest first. A run has tens of thousands of candidates (a few per row): their durations
 * are sorted as numbers to find the cut, and only the calls at or above it are sorted as objects.
 */
function slowestOf(calls: RunIoCall[], n: number): RunIoCall[] {
  if (calls.length > n) {
    const durs = Float64Array.from(calls, (c) => c.dur).sort();
    const cut = durs[durs.length - n];
    calls = calls.filter((c) => c.dur >= cut);
  }
  calls.sort(slowestFirst);
  if (calls.length > n) calls.length = n;
  return calls;
}

function inOrder(calls: RunIoCall[]): boolean {
  for (let i = 1; i < calls.length; i++) if (slowestFirst(calls[i - 1], calls[i]) > 0) return false;
  return true;
}

/** Slowest first; ties in file order, so the list does not depend on how the work was spread. */
function slowestFirst(a: RunIoCall, b: RunIoCall): number {
  return b.dur - a.dur || a.trace - b.trace || a.line - b.line;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The summary contract of FORMAT.md / the CLI's `--json`, plus a few extra fields. */
export function summaryJson(run: RunSummary): object {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    files: run.files.map((f) => ({
      path: f.path,
      events: f.events,
      metadata: f.metadata,
      counters: f.counters,
      badLines: f.badLines,
      truncated: f.read.truncated,
      era: f.era,
      compressed: f.read.compressed,
      gzipMembers: f.read.members,
      bytes: f.read.compressedBytes,
      textBytes: f.read.uncompressedBytes,
      problems: f.error ? [f.error, ...f.read.problems] : f.read.problems,
      badExamples: f.badExamples,
    })),
    totals: {
      events: run.totals.events,
      metadata: run.totals.metadata,
      counters: run.totals.counters,
      badLines: run.totals.badLines,
      tsMin: num(run.totals.tsMin),
      tsMax: num(run.totals.tsMax),
      traceFiles: run.totals.traceFiles,
      truncatedFiles: run.totals.truncatedFiles,
      unreadableFiles: run.totals.unreadableFiles,
      eventsWithArgs: run.totals.eventsWithArgs,
    },
    categories: run.categories,
    ops: run.ops.map((o) => ({
      file: o.file,
      cat: o.cat,
      op: o.op,
      count: o.count,
      bytes: o.bytes,
      durUs: o.durUs,
      durMaxUs: o.durMaxUs,
    })),
    hosts: run.hosts,
    processes: run.processes.length,
    eras: run.eras,
  };
}
