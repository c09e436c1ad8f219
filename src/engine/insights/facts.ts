// Figures several rules share, computed once per run from its summary. Pure: no I/O, no `vscode`.
import { fmtBytes, fmtCount, fmtUs } from '../format';
import { IoKind, ioKind } from '../model/io-ops';
import { checkpointSpans, compareRuns, type ThreadSpans } from '../compare/metrics';
import { tierMatcher } from '../compare/tiers';
import { IoField, ioField } from '../summary/io-stats';
import { rowSlowest, type RunIoCall, type RunSummary } from '../summary/run-summary';
import { DEFAULT_SPAN_PATTERN } from '../summary/scan-file';
import type { Evidence, EvidenceUnit, InsightExample, InsightOptions } from './types';

/** FORMAT.md / the issue: a run is an SCR run when an accessed path shows SCR's cache or control files. */
export function isScrPath(path: string): boolean {
  return (
    path.includes('scr.defjobid') ||
    path.includes('scr.dataset') ||
    path.includes('/.scr/') ||
    /\.scr$/.test(path.slice(path.lastIndexOf('/') + 1))
  );
}

export function isIoCat(cat: string): boolean {
  return cat === 'POSIX' || cat === 'STDIO';
}

/** The value at position ceil(p·n) (1-based) of the ascending histogram [value, count, ...]; NaN when empty. */
export function nearestRank(hist: Float64Array, percent: number): number {
  let n = 0;
  for (let i = 1; i < hist.length; i += 2) n += hist[i];
  if (n === 0) return NaN;
  // percent as an integer ratio: 0.99 * 100 is 99.00000000000001 in floating point, and its ceiling 100
  const rank = Math.max(1, Math.ceil((percent * n) / 100 - 1e-9));
  let seen = 0;
  for (let i = 0; i < hist.length; i += 2) {
    seen += hist[i + 1];
    if (seen >= rank) return hist[i];
  }
  return hist[hist.length - 2];
}

/** Nearest-rank percentile of plain numbers. */
export function nearestRankOf(values: number[], percent: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percent * sorted.length) / 100 - 1e-9));
  return sorted[rank - 1];
}

export function ev(
  key: string,
  label: string,
  value: number | null,
  unit: EvidenceUnit,
  text?: string,
): Evidence {
  return { key, label, value, unit, text: text ?? fmtValue(value, unit) };
}

export function fmtValue(value: number | null, unit: EvidenceUnit): string {
  if (value === null || !Number.isFinite(value)) return '-';
  switch (unit) {
    case 'us':
      return fmtUs(value);
    case 'bytes':
      return fmtBytes(value);
    case 'count':
      return fmtCount(value);
    case 'percent':
      return `${value.toFixed(value < 10 ? 2 : 1)}%`;
    case 'ratio':
      return `${value.toFixed(2)}×`;
    case 'bytesPerSecond':
      return `${fmtBytes(value)}/s`;
    case 'text':
      return String(value);
  }
}

export function pct(part: number, whole: number): number {
  return whole > 0 ? (100 * part) / whole : 0;
}

/** What several rules read: the run, its tiers, its per-file I/O stats by name, its checkpoint spans. */
export class RunFacts {
  readonly tier: (path: string) => string;
  readonly pfs: string;
  readonly scr: boolean;
  readonly hasArgs: boolean;
  readonly ioEvents: number;
  private spansCache: Map<string, ThreadSpans> | undefined;
  private compareCache: { wallUs: number; checkpointUs: number } | undefined;

  constructor(
    readonly run: RunSummary,
    readonly opts: InsightOptions,
  ) {
    this.tier = tierMatcher(opts.tiers);
    this.pfs = opts.pfsTier ?? 'PFS';
    this.scr = run.ops.some((r) => isScrPath(r.file));
    this.hasArgs = run.totals.eventsWithArgs > 0;
    this.ioEvents = run.ops.reduce((a, r) => a + (isIoCat(r.cat) ? r.count : 0), 0);
  }

  get pfsConfigured(): boolean {
    return this.opts.tiers.some((t) => t.label === this.pfs);
  }

  /** Sum of an io-stats field over the files `keep` accepts. */
  ioSum(field: IoField, keep: (file: string) => boolean = () => true): number {
    const io = this.run.io;
    let sum = 0;
    for (let i = 0; i < io.files.length; i++) if (keep(io.files[i])) sum += ioField(io, i, field);
    return sum;
  }

  /** Checkpoint spans per `trace/pid/tid`, as the comparison builds them (outermost, and merged). */
  spans(): Map<string, ThreadSpans> {
    return (this.spansCache ??= checkpointSpans(
      this.run,
      this.opts.checkpointPattern ?? DEFAULT_SPAN_PATTERN,
    ));
  }

  /** Wall time and checkpoint time exactly as the comparison computes them. */
  compareFigures(): { wallUs: number; checkpointUs: number } {
    if (!this.compareCache) {
      const t = compareRuns(this.run, [], {
        tiers: this.opts.tiers,
        checkpointPattern: this.opts.checkpointPattern,
        labels: ['run'],
      });
      const get = (key: string) => t.rows.find((r) => r.key === key)?.values[0] ?? NaN;
      this.compareCache = { wallUs: get('wallTime'), checkpointUs: get('checkpointTime') };
    }
    return this.compareCache;
  }

  /** POSIX/STDIO rows' figures by op group. */
  opGroups(): { kind: IoKind; cat: string; count: number; bytes: number; durUs: number }[] {
    return this.run.ops
      .filter((r) => isIoCat(r.cat))
      .map((r) => ({ kind: ioKind(r.op), cat: r.cat, count: r.count, bytes: r.bytes, durUs: r.durUs }));
  }

  traceName(i: number): string {
    return this.run.files[i]?.path ?? '';
  }

  /** The slowest calls of the rows `keepRow` accepts (and calls `keepCall` accepts), slowest first, at most n. */
  slowCalls(
    keepRow: (row: RunSummary['ops'][number]) => boolean,
    keepCall: (c: RunIoCall) => boolean = () => true,
    n = 5,
  ): InsightExample[] {
    const calls: RunIoCall[] = [];
    this.run.ops.forEach((row, i) => {
      if (!keepRow(row)) return;
      for (const c of rowSlowest(this.run, i)) if (keepCall(c)) calls.push(c);
    });
    calls.sort((a, b) => b.dur - a.dur || a.trace - b.trace || a.line - b.line);
    return calls.slice(0, n).map((c) => this.example(c));
  }

  example(c: {
    trace: number;
    line: number;
    offset: number;
    file: string;
    op: string;
    dur: number;
    bytes: number;
  }): InsightExample {
    return {
      trace: this.traceName(c.trace),
      traceIndex: c.trace,
      line: c.line,
      offset: c.offset,
      file: c.file,
      op: c.op,
      dur: c.dur,
      bytes: c.bytes,
    };
  }

  /** Rows of the run's write table that `keep` accepts, the slowest first, at most n, as examples. */
  writeExamples(keep: (i: number) => boolean, n = 5): InsightExample[] {
    const w = this.run.writes;
    const rows: number[] = [];
    for (let i = 0; i < w.length; i++) if (keep(i)) rows.push(i);
    rows.sort((a, b) => w.dur[b] - w.dur[a] || a - b);
    return rows.slice(0, n).map((i) =>
      this.example({
        trace: w.trace?.[i] ?? 0,
        line: w.line[i],
        offset: w.offset[i],
        file: w.files[w.file[i]],
        op: '', // the write table does not keep which write call it was
        dur: w.dur[i],
        bytes: w.bytes[i],
      }),
    );
  }
}
