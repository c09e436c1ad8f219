import { access } from 'node:fs/promises';
import type { RunSummary } from '../summary/run-summary';

/**
 * The trace files an accessed file's event list must re-read that cannot be read from here. A summary made on a
 * cluster (a merged `*.dftrace-summary.json`) can be opened anywhere; its figures need no trace file, but the
 * drill-down does, and must say so rather than show an empty or partial list.
 */
export async function unreachableTraces(run: RunSummary, file: string): Promise<string[]> {
  const traces = new Set<number>();
  for (const row of run.ops) if (row.file === file) for (const t of row.traces) traces.add(t);
  if (traces.size === 0) run.files.forEach((f, i) => !f.error && traces.add(i));
  const missing: string[] = [];
  await Promise.all(
    [...traces].map((t) =>
      access(run.files[t].path).catch(() => {
        missing.push(run.files[t].path);
      }),
    ),
  );
  return missing.sort();
}
