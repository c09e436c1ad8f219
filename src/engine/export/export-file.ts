import { readEventRows, type LaterHashes } from './event-rows';
import { EventParquetFile } from './parquet-file';

/** One trace file to export (plain data: it crosses to a worker). */
export interface ExportFileTask {
  tracePath: string;
  /** The Parquet file to make (written under a temporary name first). */
  outPath: string;
  /** Makes the temporary name unique to this export. */
  tag: string;
  /** Given on a second reading (see readEventRows). */
  later?: LaterHashes;
  groupRows: number;
  meta: Record<string, string>;
}

export interface ExportFileResult {
  /** The Parquet file, or null when the file must be read again with the run's tables (nothing was kept). */
  outPath: string | null;
  rows: number;
  truncated: boolean;
  problems: string[];
  fileFirst: [string, string][];
  hostFirst: [string, string][];
}

/** Reads one trace file and writes its complete events as Parquet, one row group at a time. */
export async function exportTraceFile(
  task: ExportFileTask,
  hooks: { signal?: AbortSignal; onProgress?: (bytesDone: number, events: number) => void } = {},
): Promise<ExportFileResult> {
  const out = await EventParquetFile.create(task.outPath, task.tracePath, task.tag, task.meta);
  try {
    const r = await readEventRows(
      task.tracePath,
      { later: task.later, groupRows: task.groupRows, signal: hooks.signal, onProgress: hooks.onProgress },
      (g) => out.write(g),
    );
    if (r.needsLaterTables) out.abandon();
    else out.finish();
    return {
      outPath: r.needsLaterTables ? null : task.outPath,
      rows: r.rows,
      truncated: r.read.truncated,
      problems: r.read.problems,
      fileFirst: r.fileFirst,
      hostFirst: r.hostFirst,
    };
  } catch (e) {
    out.abandon();
    throw e;
  }
}
