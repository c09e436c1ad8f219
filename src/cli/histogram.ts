// `dftrace histogram <run> --op <op> [--json]`: the duration and transfer-size distributions of one operation.
import { bytesRule, BytesRule, findTraceFiles, type WorkerPool } from '../engine';
import { histogram, type Histogram } from '../engine/timeline/histogram';
import { stringFlag, UsageError, type ParsedArgs } from './args';
import { fmtBytes, fmtInt, fmtUs, table } from './format';

export interface HistogramJson {
  op: string;
  traceFiles: number;
  count: number;
  /** Nearest-rank percentiles of the duration, in microseconds. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  duration: HistogramOut;
  /** Bytes per call, for calls that move data (read/write families, fread/fwrite); null for other ops. */
  size: HistogramOut | null;
}

type HistogramOut = Omit<Histogram, 'min' | 'max' | 'mean' | 'p50' | 'p90' | 'p95' | 'p99'> & {
  min: number | null;
  max: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
};

// JSON has no NaN: an empty distribution says null
function out(h: Histogram): HistogramOut {
  const n = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    ...h,
    min: n(h.min),
    max: n(h.max),
    mean: n(h.mean),
    p50: n(h.p50),
    p90: n(h.p90),
    p95: n(h.p95),
    p99: n(h.p99),
  };
}

export async function histogramCommand(args: ParsedArgs, pool: WorkerPool): Promise<number> {
  const op = stringFlag(args, 'op');
  if (!op) throw new UsageError('histogram needs --op <name> (write, read, pwrite64, fwrite, ...)');
  if (args.positional.length === 0) throw new UsageError('give at least one trace file or folder');
  const { files, problems } = await findTraceFiles(args.positional);
  for (const p of problems) process.stderr.write(`dftrace: ${p}\n`);
  if (files.length === 0) {
    process.stderr.write('dftrace: no trace files to read\n');
    return 1;
  }
  const parts = await Promise.all(
    files.map((f, i) =>
      pool.timeline(f, i, { op }).catch((e: Error) => {
        process.stderr.write(`dftrace: ${f}: ${e.message}\n`);
        return undefined;
      }),
    ),
  );
  const durs: number[] = [];
  const sizes: number[] = [];
  const moves = bytesRule(op) !== BytesRule.None;
  for (const p of parts) {
    if (!p) continue;
    for (let i = 0; i < p.length; i++) {
      durs.push(p.dur[i]);
      if (moves) sizes.push(p.bytes[i]);
    }
  }
  const dur = histogram(durs);
  const size = moves ? histogram(sizes) : null;
  const json: HistogramJson = {
    op,
    traceFiles: files.length,
    count: dur.count,
    p50: out(dur).p50,
    p90: out(dur).p90,
    p99: out(dur).p99,
    duration: out(dur),
    size: size && out(size),
  };
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify(json) + '\n');
    return 0;
  }
  if (dur.count === 0) {
    process.stdout.write(`no ${op} events in ${files.length} trace files\n`);
    return 0;
  }
  const render = (title: string, h: Histogram, fmt: (x: number) => string) => {
    const peak = Math.max(...h.bins.map((b) => b.count));
    const rows = h.bins.map((b) => [
      b.hi === 0 ? '0' : `${fmt(b.lo)} – ${fmt(b.hi)}`,
      fmtInt(b.count),
      '#'.repeat(Math.round((40 * b.count) / peak)),
    ]);
    return (
      `${title}: ${fmtInt(h.count)} calls, p50 ${fmt(h.p50)}, p90 ${fmt(h.p90)}, p95 ${fmt(h.p95)}, ` +
      `p99 ${fmt(h.p99)}, max ${fmt(h.max)}\n` +
      table(['range', '>calls', ''], rows)
    );
  };
  const text = [render(`${op} duration`, dur, fmtUs)];
  if (size) text.push(render(`${op} bytes per call`, size, fmtBytes));
  process.stdout.write(text.join('\n\n') + '\n');
  return 0;
}
