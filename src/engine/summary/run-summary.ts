import {
  UNRESOLVED_PREFIX,
  type AppSpan,
  type BadLineExample,
  type FormatEra,
  type IoCall,
  type TraceFileSummary,
} from '../model/types';
import { concatWriteTables, WRITES_PER_RUN, type WriteTable } from './write-table';

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
  bins: number[];
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
  const runFileHashes = new Map<string, string>();
  const runHostHashes = new Map<string, string>();
  for (const f of files) {
    for (const [h, name] of f.fileHashes) if (!runFileHashes.has(h)) runFileHashes.set(h, name);
    for (const [h, name] of f.hostHashes) if (!runHostHashes.has(h)) runHostHashes.set(h, name);
  }
  const unresolved = new Set<string>();
  const fileName = (name: string): string => {
    if (!name.startsWith(UNRESOLVED_PREFIX)) return name;
    const hash = name.slice(UNRESOLVED_PREFIX.length);
    const resolved = runFileHashes.get(hash);
    if (resolved !== undefined) return resolved;
    unresolved.add(hash);
    return `fhash:${hash}`;
  };
  const hostName = (name: string): string => {
    if (!name.startsWith(UNRESOLVED_PREFIX)) return name;
    const hash = name.slice(UNRESOLVED_PREFIX.length);
    return runHostHashes.get(hash) ?? `hhash:${hash}`;
  };

  const totals: RunSummary['totals'] = {
    traceFiles: files.length,
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
  const categories: Record<string, number> = {};
  const ops = new Map<string, RunOpRow>();
  const processes: RunSummary['processes'] = [];
  const hosts = new Set<string>();
  const eras: Partial<Record<FormatEra, number>> = {};
  const series = new Map<string, Map<number, number[]>>();
  const slowest: RunIoCall[] = [];
  const spans: RunSpan[] = [];
  const badExamples: RunBadLine[] = [];

  files.forEach((f, trace) => {
    totals.events += f.events;
    totals.metadata += f.metadata;
    totals.counters += f.counters;
    totals.badLines += f.badLines;
    totals.eventsWithArgs += f.eventsWithArgs;
    totals.eventsWithFile += f.eventsWithFile;
    if (f.read.truncated) totals.truncatedFiles++;
    if (f.error) totals.unreadableFiles++;
    totals.compressedBytes += f.read.compressedBytes;
    totals.uncompressedBytes += f.read.uncompressedBytes;
    if (f.tsMin < totals.tsMin) totals.tsMin = f.tsMin;
    if (f.tsMax > totals.tsMax) totals.tsMax = f.tsMax;
    eras[f.era] = (eras[f.era] ?? 0) + 1;
    for (const [cat, n] of Object.entries(f.categories)) categories[cat] = (categories[cat] ?? 0) + n;
    for (const row of f.ops) {
      const file = fileName(row.file);
      const key = `${file}\u0000${row.cat}\u0000${row.op}`;
      let acc = ops.get(key);
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
        ops.set(key, acc);
      }
      acc.count += row.count;
      acc.bytes += row.bytes;
      acc.durUs += row.durUs;
      acc.durMaxUs = Math.max(acc.durMaxUs, row.durMaxUs);
      if (acc.traces[acc.traces.length - 1] !== trace) acc.traces.push(trace);
      for (const call of row.slowest) acc.slowest.push({ ...call, trace, file, cat: row.cat, op: row.op });
      if (acc.slowest.length > SLOWEST_PER_ROW) {
        acc.slowest.sort(slowestFirst);
        acc.slowest.length = SLOWEST_PER_ROW;
      }
    }
    for (const p of f.processes) {
      const host = hostName(p.host);
      if (host) hosts.add(host);
      processes.push({ pid: p.pid, host, threads: p.threads.length, events: p.events, trace });
    }
    for (const s of f.timeline) {
      const key = `${s.kind}\u0000${fileName(s.file)}`;
      let bins = series.get(key);
      if (!bins) {
        bins = new Map();
        series.set(key, bins);
      }
      for (let i = 0; i < s.bins.length; i += 3) {
        const cell = bins.get(s.bins[i]);
        if (cell) {
          cell[0] += s.bins[i + 1];
          cell[1] += s.bins[i + 2];
        } else bins.set(s.bins[i], [s.bins[i + 1], s.bins[i + 2]]);
      }
    }
    for (const s of f.spans) spans.push({ ...s, trace });
    for (const b of f.badExamples) badExamples.push({ ...b, trace });
  });

  const writes = concatWriteTables(
    files.flatMap((f, trace) =>
      f.writes ? [{ table: { ...f.writes, files: f.writes.files.map(fileName) }, trace }] : [],
    ),
    WRITES_PER_RUN,
  );
  const timeline: RunTimeSeries[] = [];
  for (const [key, bins] of series) {
    const [kind, file] = key.split('\u0000') as ['read' | 'write', string];
    const flat: number[] = [];
    for (const bin of [...bins.keys()].sort((a, b) => a - b)) flat.push(bin, ...bins.get(bin)!);
    timeline.push({ file, kind, bins: flat });
  }
  if (totals.tsMin === Infinity) {
    totals.tsMin = NaN;
    totals.tsMax = NaN;
  }
  for (const row of ops.values()) {
    row.slowest.sort(slowestFirst);
    for (const call of row.slowest) slowest.push(call);
  }
  slowest.sort(slowestFirst);
  if (slowest.length > SLOWEST_IN_RUN) slowest.length = SLOWEST_IN_RUN;
  return {
    // the run holds the writes once, in `writes`
    files: files.map((f) => ({ ...f, writes: undefined })),
    totals,
    categories,
    ops: [...ops.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.cat, b.cat) || cmp(a.op, b.op)),
    processes,
    hosts: [...hosts].sort(),
    eras,
    binUs,
    timeline,
    slowest,
    spans,
    badExamples,
    unresolvedFileHashes: unresolved.size,
    writes,
  };
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
