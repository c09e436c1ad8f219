import { fileProblems, type RunSummary } from '../engine';
import { fmtUs } from '../engine/format';
import { tierOf } from '../engine/compare/tiers';
import type { DashboardSummary, RunHeader, SlowCall, TierInfo, WritesAnswer } from '../protocol';
import { toArrowIpc } from './arrow-ipc';

export interface ViewSettings {
  tiers: TierInfo[];
  slowPercentile: number;
  slowThresholdUs: number;
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

export function runHeader(run: RunSummary, label: string, folder: string): RunHeader {
  const t = run.totals;
  const name = (i: number) => run.files[i]?.path ?? '';
  return {
    label,
    folder,
    traceFiles: t.traceFiles,
    events: t.events,
    metadata: t.metadata,
    counters: t.counters,
    tsMin: finite(t.tsMin),
    tsMax: finite(t.tsMax),
    processes: run.processes.length,
    threads: run.processes.reduce((a, p) => a + p.threads, 0),
    hosts: run.hosts,
    eras: run.eras as Record<string, number>,
    compressedBytes: t.compressedBytes,
    uncompressedBytes: t.uncompressedBytes,
    badLines: t.badLines,
    badExamples: run.badExamples.slice(0, 20).map((b) => ({ ...b, trace: name(b.trace) })),
    truncated: run.files
      .filter((f) => f.read.truncated)
      .map((f) => ({ trace: f.path, problems: f.read.problems })),
    unreadable: run.files.filter((f) => f.error).map((f) => ({ trace: f.path, error: f.error! })),
    notes: run.files
      .filter((f) => !f.read.truncated && !f.error && f.read.problems.length > 0)
      .map((f) => ({ trace: f.path, problems: f.read.problems })),
    emptyFiles: run.files.filter((f) => !f.error && f.sizeBytes === 0).map((f) => f.path),
    hashCollisions: run.files
      .filter((f) => f.redeclaredHashes)
      .map((f) => ({ trace: f.path, problem: fileProblems(f).at(-1)! })),
    noArgs: t.events > 0 && t.eventsWithArgs === 0,
    unresolvedFileHashes: run.unresolvedFileHashes,
    writesTotal: run.writes.total,
    writesKept: run.writes.length,
    checkpointSpans: run.spans.length,
  };
}

/** The slow-write threshold: fixed when set, else a percentile of this run's write durations. */
export function slowThreshold(run: RunSummary, s: ViewSettings): { us: number; label: string } {
  if (s.slowThresholdUs > 0) return { us: s.slowThresholdUs, label: `> ${fmtUs(s.slowThresholdUs)}` };
  const d = Float64Array.from(run.writes.dur).sort();
  if (d.length === 0) return { us: Number.MAX_VALUE, label: 'no writes' };
  const p = Math.min(100, Math.max(0, s.slowPercentile));
  const us = d[Math.min(d.length - 1, Math.floor((p / 100) * d.length))];
  // a percentile that is no higher than the median singles nothing out (every write took about as long)
  if (us <= d[Math.floor((d.length - 1) / 2)])
    return { us: Number.MAX_VALUE, label: `none: write times are uniform (p${p} = median = ${fmtUs(us)})` };
  return { us, label: `> p${p} of this run's write durations (${fmtUs(us)})` };
}

export function dashboardSummary(
  run: RunSummary,
  label: string,
  folder: string,
  s: ViewSettings,
): DashboardSummary {
  const tiers = new Map<string, string>();
  const tier = (file: string) => {
    let t = tiers.get(file);
    if (t === undefined) tiers.set(file, (t = tierOf(file, s.tiers)));
    return t;
  };
  const ops = toArrowIpc({
    file: run.ops.map((o) => o.file),
    tier: run.ops.map((o) => tier(o.file)),
    cat: run.ops.map((o) => o.cat),
    op: run.ops.map((o) => o.op),
    count: Float64Array.from(run.ops, (o) => o.count),
    bytes: Float64Array.from(run.ops, (o) => o.bytes),
    durUs: Float64Array.from(run.ops, (o) => o.durUs),
    durMaxUs: Float64Array.from(run.ops, (o) => o.durMaxUs),
  });
  const slowestWrites = slowestWriteCalls(run, 100, tier);
  const slow = slowThreshold(run, s);
  return {
    header: runHeader(run, label, folder),
    tiers: s.tiers,
    ops,
    slowestWrites,
    slowThresholdUs: slow.us,
    slowThresholdLabel: slow.label,
  };
}

/** The run's slowest write calls, located (trace file, line, offset) so a click can open them. */
export function slowestWriteCalls(run: RunSummary, n: number, tier: (file: string) => string): SlowCall[] {
  const t0 = finite(run.totals.tsMin);
  // the run's own top-k of writes: its slowest calls of any kind are opens and stats on real runs
  return run.slowestWrites.slice(0, n).map((c) => ({
    trace: c.trace,
    line: c.line,
    offset: c.offset,
    file: c.file,
    tier: tier(c.file),
    op: c.op,
    cat: c.cat,
    relUs: c.ts - t0,
    dur: c.dur,
    bytes: c.bytes,
    pid: c.pid,
    tid: c.tid,
  }));
}

/**
 * The writes a timeline plots: all of them when few, else every slow write plus an even sample of the rest, so
 * the picture keeps its shape and no slow write is ever dropped.
 */
export function writesAnswer(run: RunSummary, maxPoints: number, s: ViewSettings): WritesAnswer {
  const w = run.writes;
  const slow = slowThreshold(run, s).us;
  let rows: number[];
  if (w.length <= maxPoints) rows = Array.from({ length: w.length }, (_, i) => i);
  else {
    const slowRows: number[] = [];
    const rest: number[] = [];
    for (let i = 0; i < w.length; i++) (w.dur[i] > slow ? slowRows : rest).push(i);
    const budget = Math.max(0, maxPoints - slowRows.length);
    const step = rest.length / Math.max(1, budget);
    const sample: number[] = [];
    for (let k = 0; k < budget && Math.floor(k * step) < rest.length; k++)
      sample.push(rest[Math.floor(k * step)]);
    rows = slowRows.concat(sample).sort((a, b) => a - b);
  }
  const t0 = finite(run.totals.tsMin);
  const tiers = new Map<number, string>();
  const tier = (f: number) => {
    let t = tiers.get(f);
    if (t === undefined) tiers.set(f, (t = tierOf(w.files[f], s.tiers)));
    return t;
  };
  const pick = (col: Float64Array, map: (x: number) => number = (x) => x) =>
    Float64Array.from(rows, (i) => map(col[i]));
  const table = toArrowIpc({
    relS: pick(w.ts, (ts) => (ts - t0) / 1e6),
    dur: pick(w.dur),
    bytes: pick(w.bytes),
    file: rows.map((i) => w.files[w.file[i]]),
    tier: rows.map((i) => tier(w.file[i])),
    trace: Int32Array.from(rows, (i) => w.trace?.[i] ?? 0),
    line: pick(w.line),
    offset: pick(w.offset),
    pid: pick(w.pid),
    tid: pick(w.tid),
  });
  return { table, total: w.total, shown: rows.length, slowThresholdUs: slow };
}
