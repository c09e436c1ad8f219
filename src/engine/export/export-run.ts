import { setMaxListeners } from 'node:events';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { WorkerPool } from '../pool/worker-pool';
import { AbortedError } from '../read/trace-bytes';
import type { ExportFileResult, ExportFileTask } from './export-file';
import { runFirstDeclarations } from './hash-positions';
import { temporaryName } from './parquet-file';

/** Rows per Parquet row group: what one worker holds at a time (about 15 MB of columns), and what readers skip by. */
export const EXPORT_GROUP_ROWS = 131_072;

export interface ExportProgress {
  filesDone: number;
  filesTotal: number;
  /** On-disk bytes of trace read so far, of `bytesTotal` (files read twice count twice). */
  bytesDone: number;
  bytesTotal: number;
  rows: number;
  elapsedMs: number;
}

export interface ExportOptions {
  /** A pool to run on; without one a pool of `workers` threads is made for this call and disposed after. */
  pool?: WorkerPool;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
  groupRows?: number;
  /** Key-value metadata stored in every file (e.g. the tool's version). */
  meta?: Record<string, string>;
}

export interface ExportedFile {
  trace: string;
  /** The Parquet file written, or null when the trace file could not be read. */
  parquet: string | null;
  rows: number;
  truncated: boolean;
  problems: string[];
  /** Why nothing was written for this trace file. */
  error?: string;
  /** It was read twice: it used a hash before declaring it (FORMAT.md). */
  readTwice: boolean;
}

export interface ExportResult {
  outDir: string;
  files: ExportedFile[];
  rows: number;
  elapsedMs: number;
}

/** `trace-3-of-8.pfw.gz` -> `trace-3-of-8.parquet`; names two trace files would share get the file's index. */
export function parquetNames(traceFiles: string[]): string[] {
  const bases = traceFiles.map(
    (f) =>
      basename(f)
        .replace(/\.pfw(\.gz)?$/i, '')
        .replace(/^\./, '') || 'trace',
  );
  const count = new Map<string, number>();
  for (const b of bases) count.set(b, (count.get(b) ?? 0) + 1);
  return bases.map((b, i) => (count.get(b)! > 1 ? `${b}-${i}` : b) + '.parquet');
}

/**
 * Writes one Parquet file per trace file into `outDir`, in the workers (each holds one row group at a time). A file
 * that uses a hash before declaring it is read a second time, with the run's declarations (FORMAT.md's rule needs
 * the file's later ones and the other files'). Every file is written under a temporary name and renamed when whole;
 * when the export is cancelled or a file fails, its temporary file is removed, so `*.parquet` in `outDir` only ever
 * matches complete files.
 */
export async function exportRun(
  traceFiles: string[],
  outDir: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const started = Date.now();
  if (opts.signal) setMaxListeners(0, opts.signal);
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const pool = opts.pool ?? new WorkerPool({ size: opts.workers });
  const names = parquetNames(traceFiles);
  const tag = `${process.pid}-${started.toString(36)}`;
  const outPaths = names.map((n) => join(dir, n));
  const sizes = await Promise.all(
    traceFiles.map((f) =>
      stat(f).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  let bytesTotal = sizes.reduce((a, b) => a + b, 0);
  const done = new Array<number>(traceFiles.length).fill(0);
  const rows = new Array<number>(traceFiles.length).fill(0);
  let bytesBefore = 0;
  let filesDone = 0;
  let last = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!opts.onProgress || (!force && now - last < 100)) return;
    last = now;
    opts.onProgress({
      filesDone,
      filesTotal: traceFiles.length,
      bytesDone: bytesBefore + done.reduce((a, b) => a + b, 0),
      bytesTotal,
      rows: rows.reduce((a, b) => a + b, 0),
      elapsedMs: now - started,
    });
  };
  const base = {
    tag,
    groupRows: opts.groupRows ?? EXPORT_GROUP_ROWS,
    meta: opts.meta ?? {},
  };
  const results: ExportedFile[] = traceFiles.map((trace) => ({
    trace,
    parquet: null,
    rows: 0,
    truncated: false,
    problems: [],
    readTwice: false,
  }));
  const declared: ExportFileResult[] = [];
  const one = async (i: number, task: ExportFileTask, final: boolean): Promise<void> => {
    try {
      const r = await pool.export(task, {
        signal: opts.signal,
        onProgress: (b, n) => {
          done[i] = b;
          rows[i] = n;
          report();
        },
      });
      declared[i] = r;
      Object.assign(results[i], {
        parquet: r.outPath,
        rows: r.rows,
        truncated: r.truncated,
        problems: r.problems,
      });
      if (r.outPath || final) filesDone++;
    } catch (e) {
      await rm(temporaryName(task.outPath, tag), { force: true });
      if (opts.signal?.aborted) throw new AbortedError();
      // one unreadable trace file (or a worker that died on it) never fails the export of the others
      results[i].error = (e as Error).message;
      filesDone++;
    }
    done[i] = sizes[i];
    report();
  };
  try {
    await Promise.all(
      traceFiles.map((tracePath, i) => one(i, { ...base, tracePath, outPath: outPaths[i] }, false)),
    );
    const again = results.map((_, i) => i).filter((i) => !results[i].error && results[i].parquet === null);
    if (again.length > 0) {
      const tables = traceFiles.map((_, i) => declared[i] ?? { fileFirst: [], hostFirst: [] });
      const runFiles = [...runFirstDeclarations(tables.map((t) => t.fileFirst))];
      const runHosts = [...runFirstDeclarations(tables.map((t) => t.hostFirst))];
      bytesBefore = done.reduce((a, b) => a + b, 0);
      bytesTotal += again.reduce((a, i) => a + sizes[i], 0);
      done.fill(0);
      await Promise.all(
        again.map((i) => {
          results[i].readTwice = true;
          const later = {
            fileFirst: tables[i].fileFirst,
            hostFirst: tables[i].hostFirst,
            runFiles,
            runHosts,
          };
          return one(i, { ...base, tracePath: traceFiles[i], outPath: outPaths[i], later }, true);
        }),
      );
    }
  } catch (e) {
    // workers stopped mid-file leave their temporary files: none may survive a cancelled export
    await Promise.all(outPaths.map((p) => rm(temporaryName(p, tag), { force: true })));
    throw e;
  } finally {
    if (!opts.pool) await pool.dispose();
  }
  report(true);
  return {
    outDir: dir,
    files: results,
    rows: results.reduce((a, r) => a + r.rows, 0),
    elapsedMs: Date.now() - started,
  };
}
