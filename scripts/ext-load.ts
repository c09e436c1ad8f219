// The extension's load path without VS Code: RunRegistry.load calls summarizeTraceFiles exactly like this (a
// long-lived pool, the cache directory, a cancel signal, the span pattern of the settings, a progress callback).
// Usage (bundled by scripts/bench.mjs): node ext-load.cjs <cacheDir> <file|folder>...
import { findTraceFiles, summarizeTraceFiles, WorkerPool, DEFAULT_SPAN_PATTERN } from '../src/engine';

async function main(): Promise<void> {
  const [cacheDir, ...paths] = process.argv.slice(2);
  const pool = new WorkerPool({ workerScript: process.env.DFTRACE_WORKER });
  const t0 = performance.now();
  const { files } = await findTraceFiles(paths);
  const cancel = new AbortController();
  const reports: string[] = [];
  const summary = await summarizeTraceFiles(files, {
    pool,
    signal: cancel.signal,
    cacheDir,
    scan: { spanPattern: DEFAULT_SPAN_PATTERN },
    onProgress: (p) => {
      const mbs = p.elapsedMs > 0 ? (p.textBytesDone ?? p.bytesDone) / 1e6 / (p.elapsedMs / 1000) : 0;
      reports.push(`${p.filesDone}/${p.filesTotal} files · ${p.events} events · ${mbs.toFixed(0)} MB/s`);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  await pool.dispose();
  process.stdout.write(
    JSON.stringify({
      seconds,
      events: summary.totals.events,
      progress: reports.length,
      last: reports.slice(-3),
      mid: reports[reports.length >> 1],
    }) + '\n',
  );
}
void main();
