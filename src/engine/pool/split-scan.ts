import { stat } from 'node:fs/promises';
import type { TraceFileSummary } from '../model/types';
import { MAX_LINE_BYTES } from '../read/lines';
import { newReadStatus, readTraceBytes } from '../read/trace-bytes';
import { mergeFileParts } from '../summary/merge-file-parts';
import { describeFsError, failedSummary } from '../summary/scan-file';
import type { TaskHooks, WorkerPool } from './worker-pool';
import type { WorkerScanOptions } from './worker-protocol';

/** Text per block handed to a worker: big enough to amortise messaging, small enough to spread one file. */
export const BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Scans one big file on all workers at once. gzip can only be inflated from the start, so this thread inflates
 * (zlib does it on libuv's threads) and cuts the text into blocks of whole lines that the workers scan in parallel;
 * at most two blocks per worker are in flight, which bounds memory whatever the file's size.
 */
export async function scanFileSplit(
  pool: WorkerPool,
  path: string,
  options: WorkerScanOptions,
  hooks: TaskHooks = {},
  blockBytes = BLOCK_BYTES,
): Promise<TraceFileSummary> {
  const read = newReadStatus();
  let meta;
  try {
    const st = await stat(path);
    meta = { path, sizeBytes: st.size, mtimeMs: st.mtimeMs, read };
  } catch (e) {
    return failedSummary(path, describeFsError(e));
  }
  const session = pool.newSession();
  const blockLines: number[] = [];
  const blocks: Promise<void>[] = [];
  const inflight = new Set<Promise<unknown>>();
  const maxInflight = Math.max(2, pool.size * 2);
  let offset = 0;
  const submit = (block: Uint8Array) => {
    const index = blockLines.length;
    const at = offset;
    // before scanBlock: posting the block to a worker detaches it here (its length becomes 0)
    offset += block.length;
    blockLines.push(0);
    const p = pool
      .scanBlock(session, index, at, block, options, { signal: hooks.signal })
      .then((lines) => void (blockLines[index] = lines));
    blocks.push(p);
    const tracked = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let error: string | undefined;
  let lineOpen = false; // the pending text is one line longer than a block, still without its end
  try {
    try {
      for await (const chunk of readTraceBytes(path, read, hooks.signal)) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < blockBytes) continue;
        if (lineOpen && chunk.indexOf(10) < 0 && pendingBytes < MAX_LINE_BYTES) continue;
        const joined = join(pending, pendingBytes);
        let cut = joined.lastIndexOf(10) + 1;
        // a line longer than a block: wait for its end, unless it is absurdly long (then cut anyway)
        if (cut === 0 && pendingBytes < MAX_LINE_BYTES) {
          pending = [Buffer.from(joined.buffer, joined.byteOffset, joined.length)];
          lineOpen = true;
          continue;
        }
        lineOpen = false;
        if (cut === 0) cut = joined.length;
        const rest = joined.subarray(cut);
        pending = rest.length ? [Buffer.from(rest)] : [];
        pendingBytes = rest.length;
        submit(joined.subarray(0, cut));
        hooks.onProgress?.(read.compressedDone, 0);
        while (inflight.size >= maxInflight) await Promise.race(inflight);
      }
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      error = describeFsError(e);
    }
    if (pendingBytes > 0) submit(join(pending, pendingBytes));
    await Promise.all(blocks);
  } catch (e) {
    pool.dropSession(session);
    await Promise.allSettled(blocks);
    throw e;
  }
  const parts = await pool.finishSession(session);
  const summary = mergeFileParts({ ...meta, error }, parts, blockLines, {
    slowestPerOp: options.slowestPerOp ?? 10,
    maxSpans: options.maxSpans ?? 100_000,
    maxBadExamples: options.maxBadExamples ?? 5,
  });
  hooks.onProgress?.(read.compressedBytes, summary.events);
  return summary;
}

/** One buffer of its own (transferable to a worker without dragging other data along). */
function join(parts: Buffer[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let p = 0;
  for (const b of parts) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}
