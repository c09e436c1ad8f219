import { mergeBins, NO_BINS, seriesKey, splitSeriesKey } from './bins';
import { callAt, S_DUR, SLOW_FIELDS, type PackedSlowest } from './packed-slowest';
import { TopCalls } from './slow-writes';
import { RowIndex } from './row-index';
import { RowSlowest, runCall, S_TRACE } from './run-slowest';
import {
  UNRESOLVED_PREFIX,
  type AppSpan,
  type BadLineExample,
  type CallNames,
  type FormatEra,
  type IoCall,
  type TraceFileSummary,
} from '../model/types';
import { IoStatsMerger, type IoStats } from './io-stats';
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
  processes: {
    pid: number;
    host: string;
    threads: number;
    events: number;
    trace: number;
    dataOpUs: number;
  }[];
  hosts: string[];
  eras: Partial<Record<FormatEra, number>>;
  binUs: number;
  timeline: RunTimeSeries[];
  /** The slowest calls of the whole run, slowest first (at most SLOWEST_IN_RUN). */
  slowest: RunIoCall[];
  /** The slowest write calls of the whole run, slowest first (at most SLOW_WRITES_KEPT), whatever the other calls. */
  slowestWrites: RunIoCall[];
  /**
   * The slowest calls of each row of `ops` (SLOWEST_PER_ROW at most, slowest first), as numbers: row i's calls start
   * at i * k * SLOW_FIELDS, their trace file in the S_TRACE field. rowSlowest() makes them objects.
   */
  rowSlowest: PackedSlowest;
  spans: RunSpan[];
  badExamples: RunBadLine[];
  /** Hashes no FH/HH metadata in the run resolved. */
  unresolvedFileHashes: number;
  /** Write calls of the whole run (`trace` says from which file), sampled past WRITES_PER_RUN rows. */
  writes: WriteTable;
  /** Per accessed file size classes, access order, write extent, and every write's duration (io-stats.ts). */
  io: IoStats;
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
  private readonly ops = new RowIndex<RunOpRow>();
  /** Each row's slot in `slow`. */
  private readonly slots = new Map<RunOpRow, number>();
  private readonly slow = new RowSlowest(SLOWEST_PER_ROW);
  private readonly processes: RunSummary['processes'] = [];
  private readonly eras: Partial<Record<FormatEra, number>> = {};
  private readonly series = new Map<string, Float64Array>();
  private readonly spans: RunSpan[] = [];
  private readonly badExamples: RunBadLine[] = [];
  /** Write tables not yet joined; joined (and thinned to the cap) whenever they hold twice the cap. */
  private writeParts: { table: WriteTable; trace?: number }[] = [];
  private writeRows = 0;
  /** Keyed by raw names; resolved in finish(). */
  private readonly io = new IoStatsMerger();
  private readonly slowWrites = new TopCalls<CallNames>();

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
      const slot = this.slotOf(opRow(this.ops, row.file, row, trace, false));
      if (packed) this.slow.addPacked(slot, packed, r, trace);
      else this.slow.addCalls(slot, row.slowest, trace);
    });
    for (const p of f.processes) {
      this.processes.push({
        pid: p.pid,
        host: p.host,
        threads: p.threads.length,
        events: p.events,
        trace,
        dataOpUs: p.dataOpUs ?? 0,
      });
    }
    for (const s of f.timeline) addBins(this.series, seriesKey(s.kind, s.file), s.bins);
    if (f.slowWrites) this.slowWrites.addAll(f.slowWrites, (names) => names, trace);
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
    this.io.add(f.io);
    // what the run keeps of the file: its own figures, without what was merged above
    // (in place: the summary is the merger's now, and a copy of every row was most of the time spent here)
    for (const o of f.ops) if (o.slowest.length > 0) o.slowest = [];
    this.files[trace] = {
      ...f,
      packedSlowest: undefined,
      timeline: [],
      spans: [],
      writes: undefined,
      io: undefined,
      slowWrites: undefined,
    };
  }

  private slowestWrites(fileName: (name: string) => string): RunIoCall[] {
    const w = this.slowWrites;
    return w.labels.slice(0, w.n).map((names, i) => ({
      ...callAt(w.pool, i * SLOW_FIELDS),
      trace: w.pool[i * SLOW_FIELDS + S_TRACE],
      file: fileName(names.file),
      cat: names.cat,
      op: names.op,
    }));
  }

  private slotOf(row: RunOpRow): number {
    let slot = this.slots.get(row);
    if (slot === undefined) this.slots.set(row, (slot = this.slow.newRow()));
    return slot;
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
    const renamed = this.ops.values().some((row) => fileName(row.file) !== row.file);
    const ops = renamed ? new RowIndex<RunOpRow>() : this.ops;
    for (const row of renamed ? this.ops.values() : []) {
      const joined = opRow(ops, fileName(row.file), row, row.traces, true);
      this.slow.addRow(this.slotOf(joined), this.slots.get(row)!);
    }
    const series = new Map<string, Float64Array>();
    for (const [key, bins] of this.series) {
      const [kind, raw] = splitSeriesKey(key);
      const resolved = seriesKey(kind, fileName(raw));
      const prev = series.get(resolved);
      // a copy before adding into it: the first list is the merger's own (mergeBins may add in place)
      series.set(resolved, prev === undefined ? bins : mergeBins(prev.slice(), bins));
    }
    const timeline: RunTimeSeries[] = [];
    for (const [key, bins] of series) {
      const [kind, file] = splitSeriesKey(key);
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
    if (!renamed) for (const row of ops.values()) row.traces.sort((a, b) => a - b); // files finish in any order
    const rows = [...ops.values()].sort(
      (a, b) => cmp(a.file, b.file) || cmp(a.cat, b.cat) || cmp(a.op, b.op),
    );
    const rowSlowest = this.slow.pack(rows.map((row) => this.slots.get(row)!));
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
      ops: rows,
      processes,
      hosts: [...hosts].sort(),
      // like categories: the order files finish in must not show (merged shards print what one run prints)
      eras: Object.fromEntries(Object.entries(this.eras).sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))),
      binUs: this.binUs,
      timeline,
      slowest: slowestOf(rows, rowSlowest, SLOWEST_IN_RUN),
      slowestWrites: this.slowestWrites(fileName),
      rowSlowest,
      spans: this.spans,
      badExamples: this.badExamples,
      unresolvedFileHashes: unresolved.size,
      writes,
      io: resolvedIo(this.io.finish(), fileName),
    };
  }
}

function resolvedIo(raw: IoStats, fileName: (name: string) => string): IoStats {
  if (!raw.files.some((f) => fileName(f) !== f)) return raw;
  const m = new IoStatsMerger();
  m.add(raw, fileName);
  return m.finish();
}

/** The run's row for (file, cat, op), created when new, with the row's figures and traces added. */
function opRow(
  rows: RowIndex<RunOpRow>,
  file: string,
  row: { cat: string; op: string; count: number; bytes: number; durUs: number; durMaxUs: number },
  traces: number[] | number,
  sortTraces: boolean,
): RunOpRow {
  let acc = rows.get(file, row.cat, row.op);
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
    };
    rows.add(file, row.cat, row.op, acc);
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
 * The run's n slowest calls, slowest first, from its rows' packs: a run has tens of thousands of candidates (ten per
 * row), so their durations are sorted as numbers to find the cut, and only the calls at or above it become objects.
 */
function slowestOf(rows: RunOpRow[], p: PackedSlowest, n: number): RunIoCall[] {
  const durs: number[] = [];
  rows.forEach((_, r) => {
    for (let i = 0; i < p.counts[r]; i++) durs.push(p.pool[(r * p.k + i) * SLOW_FIELDS + S_DUR]);
  });
  const sorted = Float64Array.from(durs).sort();
  const cut = sorted.length > n ? sorted[sorted.length - n] : -Infinity;
  const calls: RunIoCall[] = [];
  rows.forEach((row, r) => {
    for (let i = 0; i < p.counts[r]; i++) {
      if (p.pool[(r * p.k + i) * SLOW_FIELDS + S_DUR] < cut) break; // a row's calls are slowest first
      calls.push(runCall(p, r, i, row));
    }
  });
  calls.sort(slowestFirst);
  if (calls.length > n) calls.length = n;
  return calls;
}

/** Row `row` of `run.ops`: its slowest calls as objects, slowest first. */
export function rowSlowest(run: RunSummary, row: number): RunIoCall[] {
  const p = run.rowSlowest;
  const names = run.ops[row];
  return Array.from({ length: p.counts[row] }, (_, i) => runCall(p, row, i, names));
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
      problems: fileProblems(f),
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
    slowestWrites: run.slowestWrites.slice(0, SLOWEST_WRITES_IN_JSON).map((c) => ({
      file: c.file,
      op: c.op,
      durUs: c.dur,
      bytes: c.bytes,
      ts: c.ts,
      pid: c.pid,
      tid: c.tid,
      traceFile: run.files[c.trace]?.path ?? '',
      line: c.line,
    })),
  };
}

/** How many of the run's slowest writes `summarize --json` lists. */
export const SLOWEST_WRITES_IN_JSON = 20;

/** A file's problems as the user reads them: what stopped or cut the read, then hashes that name two paths. */
export function fileProblems(f: TraceFileSummary): string[] {
  const out = f.error ? [f.error, ...f.read.problems] : [...f.read.problems];
  const r = f.redeclaredHashes;
  if (r) {
    const shown = r.examples
      .map((e) => `${e.kind} ${e.hash}: ${e.first}, then ${e.then} from line ${e.line}`)
      .join('; ');
    out.push(
      `${r.count} hash${r.count === 1 ? ' was' : 'es were'} declared again for another name (colliding hashes), each resolved by position: ${shown}${r.count > r.examples.length ? '; …' : ''}`,
    );
  }
  return out;
}
