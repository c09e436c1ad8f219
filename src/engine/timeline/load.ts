import type { RunSummary } from '../summary/run-summary';
import type { WorkerPool } from '../pool/worker-pool';
import { TimelineStore } from './store';

/**
 * Re-reads every trace file of a summarized run in the workers (in parallel, one file per worker) and builds the
 * run's timeline store. Hosts come from the summary (resolved through `HH`), as do hashes a file never declares.
 */
export async function loadTimeline(
  run: RunSummary,
  pool: WorkerPool,
  signal?: AbortSignal,
): Promise<TimelineStore> {
  const runFileHashes: Record<string, string> = {};
  for (const f of run.files) for (const [h, name] of f.fileHashes) runFileHashes[h] ??= name;
  const hosts = new Map<string, string>();
  for (const p of run.processes) hosts.set(`${p.trace}:${p.pid}`, p.host);
  const parts = await Promise.all(
    run.files.map((f, trace) =>
      f.error
        ? undefined
        : pool.timeline(f.path, trace, { runFileHashes }, { signal }).catch(() => undefined),
    ),
  );
  return new TimelineStore(
    parts.filter((p) => p !== undefined),
    (trace, pid) => hosts.get(`${trace}:${pid}`) ?? '',
  );
}
