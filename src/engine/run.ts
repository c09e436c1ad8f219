import { setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { findTraceFiles } from './discover';
import type { TraceFileSummary } from './model/types';
import { WorkerPool, type TaskHooks } from './pool/worker-pool';
import { scanFileInflating, scanFileRanges, scanFileSplit } from './pool/split-scan';
import type { WorkerScanOptions } from './pool/worker-protocol';
import { AbortedError } from './read/trace-bytes';
import { ResultCache } from './store/cache';
import { concatColumns, type EventColumns } from './store/event-columns';
import { DEFAULT_BIN_US, failedSummary } from './summary/scan-file';
import { RunMerger, type RunSummary } from './summary/run-summary';
import { AmbiguousHashError } from './summary/hash-bindings';

/** Files at least this big on disk are scanned by all workers together rather than by one. */
export const SPLIT_MIN_BYTES = 8 * 1024 * 1024;

export interface RunProgress {
  filesDone: number;
  filesTotal: number;
  /** On-disk bytes read so far, of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
  events: number;
  elapsedMs: number;
  /** Bytes of text (inflated) read so far, where known: what MB/s should be of. */
  textBytesDone?: number;
}

export interface RunOptions {
  scan?: WorkerScanOptions;
  /** A pool to run on; without one a pool of `workers` threads is made for this call and disposed after. */
  pool?: WorkerPool;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  /** Directory for cached per-file results; no caching without it. */
  cacheDir?: string;
  /** Files this big or bigger (on disk) are scanned by all workers together. Default SPLIT_MIN_BYTES. */
  splitMinBytes?: number;
  /** Text per block when a file is split. Default BLOCK_BYTES. */
  blockBytes?: number;
  /** Let workers inflate the members of a multi-member gzip file in parallel (default true). */
  parallelMembers?: boolean;
  /** Let a worker read (inflate) a big file into blocks for the others (default true); else this thread does. */
  readInWorker?: boolean;
  /** Each file's whole summary as it is read, before the run keeps a slim copy (sharded summaries save it). */
  onFile?: (summary: TraceFileSummary, index: number) => void;
}

export interface RunResult {
  summary: RunSummary;
  /** Paths given that do not exist or hold no traces. */
  problems: string[];
}

/** Finds the trace files under `paths`, scans them (in parallel, from cache where unchanged) and merges them. */
export async function summarizeRun(paths: string[], opts: RunOptions = {}): Promise<RunResult> {
  const { files, problems } = await findTraceFiles(paths);
  const summary = await summarizeTraceFiles(files, opts);
  return { summary, problems };
}

async function withPool<T>(opts: RunOptions, fn: (pool: WorkerPool) => Promise<T>): Promise<T> {
  const pool = opts.pool ?? new WorkerPool({ size: opts.workers });
  try {
    return await fn(pool);
  } finally {
    if (!opts.pool) await pool.dispose();
  }
}

export async function summarizeTraceFiles(files: string[], opts: RunOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  // every queued file, block and member listens for cancellation
  if (opts.signal) setMaxListeners(0, opts.signal);
  const scanOpts = opts.scan ?? {};
  const cache = opts.cacheDir ? new ResultCache(opts.cacheDir) : undefined;
  return withPool(opts, async (pool) => {
    // workers boot while the files are looked at (unless a cache may answer for all of them)
    if (!cache && files.length > 0) pool.warm();
    const sizes = await Promise.all(
      files.map((f) =>
        stat(f).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    const bytesTotal = sizes.reduce((a, b) => a + b, 0);
    const done = new Array<number>(files.length).fill(0);
    const events = new Array<number>(files.length).fill(0);
    const text = new Array<number>(files.length).fill(0);
    let filesDone = 0;
    let lastReport = 0;
    const report = (force = false) => {
      const now = Date.now();
      if (!opts.onProgress || (!force && now - lastReport < 100)) return;
      lastReport = now;
      opts.onProgress({
        filesDone,
        filesTotal: files.length,
        bytesDone: done.reduce((a, b) => a + b, 0),
        bytesTotal,
        events: events.reduce((a, b) => a + b, 0),
        elapsedMs: now - started,
        textBytesDone: text.reduce((a, b) => a + b, 0),
      });
    };
    // big files are cut into blocks that all workers scan; one such file at a time keeps memory bounded. With at
    // least as many big files as workers, each is read whole by one worker instead: every core is busy anyway, and
    // a file read whole needs no blocks handed between threads (4 one-member files: the same CPU, 8% less memory)
    let splitting: Promise<unknown> = Promise.resolve();
    const splitMin = opts.splitMinBytes ?? SPLIT_MIN_BYTES;
    const bigFiles = sizes.filter((s) => s >= splitMin).length;
    const scanOne = (pool: WorkerPool, path: string, size: number, hooks: TaskHooks) => {
      if (pool.size < 2 || size < splitMin || (bigFiles >= pool.size && opts.splitMinBytes === undefined))
        return pool.scan(path, scanOpts, hooks);
      const run = splitting
        .then(
          async () =>
            (opts.parallelMembers === false
              ? undefined
              : await scanFileRanges(pool, path, scanOpts, hooks)) ??
            (opts.readInWorker === false
              ? undefined
              : await scanFileInflating(pool, path, scanOpts, hooks, opts.blockBytes)) ??
            scanFileSplit(pool, path, scanOpts, hooks, opts.blockBytes),
        )
        // a colliding hash used across blocks that name it differently: only a pass in file order can tell
        .catch((e) => {
          if (e instanceof AmbiguousHashError) return pool.scan(path, scanOpts, hooks);
          throw e;
        });
      splitting = run.catch(() => undefined);
      return run;
    };
    // each file is folded into the run as soon as it is read: memory holds the run, not every file's summary
    const merger = new RunMerger(scanOpts.binUs ?? DEFAULT_BIN_US);
    await Promise.all(
      files.map(async (path, i): Promise<void> => {
        const key = await cache?.key(path, { scan: 'summary', scanOpts });
        let result = await cache?.get<TraceFileSummary>(key);
        if (!result) {
          try {
            result = await scanOne(pool, path, sizes[i], {
              signal: opts.signal,
              onProgress: (b, e, t) => {
                done[i] = b;
                events[i] = e;
                if (t !== undefined) text[i] = t;
                report();
              },
            });
            if (!result.error) await cache?.put(key, result);
          } catch (e) {
            if (opts.signal?.aborted) throw new AbortedError();
            // a worker that died (out of memory, say) fails this file, never the run
            result = failedSummary(path, (e as Error).message);
          }
        }
        done[i] = sizes[i];
        events[i] = result.events;
        text[i] = result.read.uncompressedBytes;
        filesDone++;
        opts.onFile?.(result, i);
        merger.add(result, i);
        report();
      }),
    );
    report(true);
    return merger.finish();
  });
}

export interface FileEventsQuery {
  /** The accessed file, as the summary names it (a path, `fhash:<hash>`, or '' for events without a file). */
  file: string;
  op?: string;
  tsFrom?: number;
  tsTo?: number;
}

/**
 * Every event of the run that touched one accessed file, as columns. Only the trace files whose summaries show
 * that file are read again (usually a handful of a run's processes); results are cached when a cacheDir is given.
 */
export async function queryRunEvents(
  run: RunSummary,
  q: FileEventsQuery,
  opts: Omit<RunOptions, 'onProgress' | 'scan'> = {},
): Promise<EventColumns> {
  // what a hash means in a file that never declares it: the run's first declaration, files in path order
  const hashes = new Set<string>();
  if (q.file.startsWith('fhash:')) hashes.add(q.file.slice(6));
  const runTable = new Map<string, string>();
  for (const f of run.files)
    for (const [h, name] of f.fileHashes) if (!runTable.has(h)) runTable.set(h, name);
  for (const [h, name] of runTable) if (name === q.file) hashes.add(h);
  const traces = new Set<number>();
  for (const row of run.ops) if (row.file === q.file) for (const t of row.traces) traces.add(t);
  if (traces.size === 0) {
    // the file may be named only by non-I/O events: look everywhere
    run.files.forEach((f, i) => !f.error && traces.add(i));
  }
  const cache = opts.cacheDir ? new ResultCache(opts.cacheDir) : undefined;
  const parts = await withPool(opts, (pool) =>
    Promise.all(
      [...traces]
        .sort((a, b) => a - b)
        .map(async (trace) => {
          const path = run.files[trace].path;
          const query = {
            file: q.file,
            hashes: [...hashes],
            op: q.op,
            tsFrom: q.tsFrom,
            tsTo: q.tsTo,
            trace,
          };
          const key = await cache?.key(path, { events: query });
          const hit = await cache?.get<EventColumns>(key);
          if (hit) return hit;
          const cols = await pool.events(path, query, { signal: opts.signal });
          await cache?.put(key, cols);
          return cols;
        }),
    ),
  );
  return concatColumns(parts);
}
