// `dftrace export`, `dftrace summarize --shard/--out` and `dftrace merge`: the commands that meet cluster tools
// (Parquet for Dask, Spark and DuckDB; Slurm job arrays for runs too big for one node).
import { findTraceFiles, type WorkerPool } from '../engine';
import { exportRun, type ExportProgress } from '../engine/export/export-run';
import { mergeParts, parseShard, summarizeShard } from '../engine/export/summary-parts';
import type { RunSummary } from '../engine/summary/run-summary';
import { stringFlag, UsageError, type ParsedArgs } from './args';
import { fmtBytes, fmtInt } from './format';
import { statSync } from 'node:fs';

/** Runs `fn` with a signal that Ctrl-C aborts (the partial output is then removed, never left looking whole). */
async function cancellable<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function runFiles(args: ParsedArgs): Promise<string[] | undefined> {
  if (args.positional.length === 0) throw new UsageError('give at least one trace file or folder');
  const { files, problems } = await findTraceFiles(args.positional);
  for (const p of problems) process.stderr.write(`dftrace: ${p}\n`);
  if (files.length === 0) {
    process.stderr.write('dftrace: no trace files to read\n');
    return undefined;
  }
  return files;
}

export async function exportCommand(args: ParsedArgs, pool: WorkerPool): Promise<number> {
  const dir = stringFlag(args, 'parquet');
  if (dir === undefined) throw new UsageError('export needs --parquet <output folder>');
  const files = await runFiles(args);
  if (!files) return 1;
  const tty = process.stderr.isTTY && !args.flags.has('no-progress');
  let width = 0;
  const show = (p: ExportProgress) => {
    const pct = p.bytesTotal ? (100 * p.bytesDone) / p.bytesTotal : 0;
    const text = `exporting ${pct.toFixed(0)}%  ${p.filesDone}/${p.filesTotal} files  ${fmtInt(p.rows)} events`;
    process.stderr.write('\r' + text.padEnd(width));
    width = text.length;
  };
  const r = await cancellable((signal) =>
    exportRun(files, dir, {
      pool,
      signal,
      onProgress: tty ? show : undefined,
      meta: { 'dftrace.version': '0.1.0' },
    }),
  ).finally(() => width && process.stderr.write('\r' + ' '.repeat(width) + '\r'));
  let bytes = 0;
  for (const f of r.files) {
    if (f.parquet) bytes += statSync(f.parquet).size;
    if (f.error) process.stderr.write(`dftrace: ${f.trace}: not exported: ${f.error}\n`);
    for (const p of f.problems) process.stderr.write(`dftrace: ${f.trace}: ${p}\n`);
  }
  const written = r.files.filter((f) => f.parquet).length;
  const twice = r.files.filter((f) => f.readTwice).length;
  process.stdout.write(
    `${fmtInt(written)} Parquet files, ${fmtInt(r.rows)} events, ${fmtBytes(bytes)} in ${(r.elapsedMs / 1000).toFixed(1)} s: ${r.outDir}\n` +
      (twice ? `${twice} trace files used a hash before declaring it and were read twice\n` : ''),
  );
  return written > 0 ? 0 : 1;
}

/** `summarize <run> --shard i/n --out part.json` (or `--out` alone: the whole run in one file). */
export async function summarizeShardCommand(args: ParsedArgs, pool: WorkerPool): Promise<number> {
  const out = stringFlag(args, 'out');
  if (out === undefined) throw new UsageError('--shard needs --out <part file>');
  if (args.flags.has('json')) throw new UsageError('--out writes a part file; --json is for merge');
  const spec = stringFlag(args, 'shard');
  let shard = { index: 1, count: 1 };
  try {
    if (spec !== undefined) shard = parseShard(spec);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const files = await runFiles(args);
  if (!files) return 1;
  const r = await cancellable((signal) =>
    summarizeShard(files, { pool, shard, out, signal, cacheDir: stringFlag(args, 'cache-dir') }),
  );
  process.stderr.write(
    `dftrace: shard ${shard.index}/${shard.count}: ${r.files} of ${files.length} trace files summarized into ${out}\n`,
  );
  return 0;
}

/** `merge part.json...`: the run's summary, for the caller to print as summarize does. */
export async function mergeCommand(args: ParsedArgs): Promise<RunSummary> {
  if (args.positional.length === 0) throw new UsageError('merge needs the part files');
  return mergeParts(args.positional, { out: stringFlag(args, 'out') });
}
