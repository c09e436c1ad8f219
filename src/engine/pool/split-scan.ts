import { stat } from 'node:fs/promises';
import type { TraceFileSummary } from '../model/types';
import { MAX_LINE_BYTES } from '../read/lines';
import { findGzipMembers, MAX_SYNC_RANGE, newReadStatus, readTraceBytes } from '../read/trace-bytes';
import { readTextBlocksSync } from '../read/text-blocks';
import { FilePartsMerger } from '../summary/merge-file-parts';
import { BlockScanner, describeFsError, failedSummary, type RangeScan } from '../summary/scan-file';
import type { TaskHooks, TextBlock, WorkerPool } from './worker-pool';
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
  let events = 0;
  const submit = (block: Uint8Array) => {
    const index = blockLines.length;
    const at = offset;
    // before scanBlock: posting the block to a worker detaches it here (its length becomes 0)
    offset += block.length;
    blockLines.push(0);
    const p = pool.scanBlock(session, index, at, block, options, { signal: hooks.signal }).then((r) => {
      blockLines[index] = r.lines;
      events += r.events;
    });
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
        hooks.onProgress?.(read.compressedDone, events, read.uncompressedBytes);
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
  const merger = new FilePartsMerger(limitsOf(options));
  await pool.finishSession(session, (part) => merger.add(part));
  const summary = merger.finish({ ...meta, error }, blockLines);
  hooks.onProgress?.(read.compressedBytes, summary.events);
  return summary;
}

/** Blocks a file's reading thread may have out (being scanned or queued) before it scans one itself. */
function aheadFor(pool: WorkerPool): number {
  // two per scanning worker, and two more so that the others never wait while the reading worker scans one
  return 2 * (pool.size - 1) + 2;
}

/**
 * Scans one big file whose text must be inflated by one thread (a one-member gzip: every tracer before v1.0.15), or
 * a big plain file, on all workers: one worker reads and inflates it straight into blocks of whole lines, and hands
 * each block over to be scanned by the other workers while it goes on; when enough blocks are out it scans one
 * itself, so no core waits. Buffers are moved, never copied, and come back to be filled again: memory in flight is a
 * few blocks whatever the file's size, and nothing of the text passes through this thread's heap. Returns undefined
 * when the file needs the careful reader (a cut or corrupt member, or fewer than two workers): then scanFileSplit.
 */
export async function scanFileInflating(
  pool: WorkerPool,
  path: string,
  options: WorkerScanOptions,
  hooks: TaskHooks = {},
  blockBytes = BLOCK_BYTES,
): Promise<TraceFileSummary | undefined> {
  if (pool.size < 2) return undefined;
  let meta;
  try {
    const st = await stat(path);
    meta = { path, sizeBytes: st.size, mtimeMs: st.mtimeMs };
  } catch (e) {
    return failedSummary(path, describeFsError(e));
  }
  const session = pool.newSession();
  const blockLines: number[] = [];
  const scans: Promise<void>[] = [];
  let events = 0;
  let compressedDone = 0;
  let textDone = 0;
  const progress = () => hooks.onProgress?.(compressedDone, events, textDone);
  const onBlock = (b: TextBlock) => {
    compressedDone = b.compressedDone;
    textDone = b.textDone;
    if (b.scanned) {
      blockLines[b.index] = b.scanned.lines;
      events += b.scanned.events;
      progress();
      return;
    }
    const scan = pool
      .scanBlock(session, b.index, b.offset, b.block!, options, { signal: hooks.signal }, b.length)
      .then(
        (r) => {
          blockLines[b.index] = r.lines;
          events += r.events;
          reader.giveBack(r.block);
          progress();
        },
        (e: Error) => {
          reader.giveBack(null);
          throw e;
        },
      );
    // awaited once the reading is over: a failure before that must not count as unhandled
    scan.catch(() => undefined);
    scans.push(scan);
  };
  const reader = pool.readBlocks(session, path, blockBytes, aheadFor(pool), options, onBlock, hooks);
  let done;
  try {
    done = await reader.done;
    await Promise.all(scans);
  } catch (e) {
    pool.dropSession(session);
    await Promise.allSettled(scans);
    throw e;
  } finally {
    reader.close();
  }
  if (!done.clean) {
    pool.dropSession(session);
    return undefined;
  }
  const merger = new FilePartsMerger(limitsOf(options));
  await pool.finishSession(session, (part) => merger.add(part));
  const summary = merger.finish({ ...meta, read: done.read }, blockLines);
  hooks.onProgress?.(done.read.compressedBytes, summary.events, done.read.uncompressedBytes);
  return summary;
}

/**
 * A big file read whole by this thread (a worker's share of a run with more big files than workers): inflated
 * synchronously into one block buffer that is scanned and refilled, so memory stays one block whatever the file's
 * size. Undefined when the file needs the careful reader (any damage), as in scanFileInflating.
 */
export function scanWholeInBlocks(
  path: string,
  sizeBytes: number,
  mtimeMs: number,
  options: WorkerScanOptions,
  onProgress: (bytesDone: number, events: number) => void,
  blockBytes = BLOCK_BYTES,
): TraceFileSummary | undefined {
  const read = newReadStatus();
  const scanner = new BlockScanner(options);
  const blockLines: number[] = [];
  const clean = readTextBlocksSync(path, read, blockBytes, {
    take: () => undefined,
    send: () => {
      throw new Error('a block handed over by a reader that keeps them');
    },
    scanHere: (buf, length, offset) => {
      blockLines.push(scanner.scan(buf.subarray(0, length), blockLines.length, offset));
      onProgress(read.compressedDone, scanner.events);
    },
  });
  if (!clean) return undefined;
  const merger = new FilePartsMerger(limitsOf(options));
  merger.add(scanner.finish());
  return merger.finish({ path, sizeBytes, mtimeMs, read }, blockLines);
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

/**
 * Scans a multi-member gzip file (v1.0.15+ writes one member per 16 MiB of text) on all workers with no inflating
 * here at all: each worker inflates and scans whole members, and the lines that straddle two members are joined
 * and scanned here. Returns undefined when the file is not multi-member gzip or a worker met any problem (a cut or
 * corrupt member, or a member boundary guessed wrong): the caller then reads the file in one pass, which reports
 * such problems exactly.
 */
export async function scanFileRanges(
  pool: WorkerPool,
  path: string,
  options: WorkerScanOptions,
  hooks: TaskHooks = {},
): Promise<TraceFileSummary | undefined> {
  if (pool.size < 2) return undefined;
  const st = await stat(path);
  const session = pool.newSession();
  const scans: Promise<RangeScan>[] = [];
  const done: number[] = [];
  let events = 0;
  // a worker holds one range in memory: a multi-member file with a huge member is read in one pass instead
  let tooBig = false;
  const submit = (from: number, to: number) => {
    if (to - from > MAX_SYNC_RANGE) tooBig = true;
    if (tooBig) return;
    const k = scans.length;
    done.push(0);
    const scan = pool
      .scanRange(session, k, path, from, to, k === 0, options, { signal: hooks.signal })
      .then((r) => {
        done[k] = to - from;
        hooks.onProgress?.(
          done.reduce((a, b) => a + b, 0),
          (events += r.lines),
        );
        return r;
      });
    // awaited only once the search is over: a failure before that must not count as unhandled
    scan.catch(() => undefined);
    scans.push(scan);
  };
  // each member goes to a worker as soon as the next one is found: the workers start while the file is searched
  let previous = -1;
  let starts: number[] = [];
  let results: RangeScan[];
  // each worker's part is merged as it comes, while the other workers still scan
  const merger = new FilePartsMerger(limitsOf(options));
  try {
    starts = await findGzipMembers(path, hooks.signal, (start) => {
      if (previous >= 0) submit(previous, start);
      previous = start;
    });
    if (starts.length >= 2) submit(starts[starts.length - 1], st.size);
    if (starts.length < 2 || tooBig) throw new NotInRanges();
    // asked now, so that a worker with no ranges left sends its part while the others finish theirs
    const asked = pool.finishSession(session, (part) => merger.add(part));
    asked.catch(() => undefined);
    results = await Promise.all(scans);
    await asked;
  } catch (e) {
    pool.dropSession(session);
    await Promise.allSettled(scans);
    if ((e as Error).name === 'AbortError' || hooks.signal?.aborted) throw e;
    return undefined;
  }
  if (results.some((r) => r.read.truncated || r.read.problems.length > 0)) {
    pool.dropSession(session);
    return undefined;
  }
  const read = newReadStatus();
  read.compressed = true;
  read.compressedBytes = read.compressedDone = st.size;
  const blockOffsets: number[] = [];
  for (const r of results) {
    blockOffsets.push(read.uncompressedBytes);
    read.uncompressedBytes += r.read.uncompressedBytes;
    read.members += r.read.members;
  }
  // the lines cut by member boundaries: joined here, each counted as line 1 of the block it ends in
  const stitcher = new BlockScanner(options);
  const blockLines = results.map((r) => r.lines);
  let pending: Uint8Array = new Uint8Array(0);
  let pendingAt = 0;
  results.forEach((r, k) => {
    const end = blockOffsets[k] + r.read.uncompressedBytes;
    if (k > 0 && r.head === null) {
      pending = concat(pending, r.tail);
      return;
    }
    if (k > 0) stitcher.line(concat(pending, r.head!), k, 1, pendingAt - blockOffsets[k]);
    pending = r.tail;
    pendingAt = end - r.tail.length;
  });
  if (pending.length > 0) {
    const last = results.length - 1;
    blockLines[last]++;
    stitcher.line(pending, last, blockLines[last], pendingAt - blockOffsets[last]);
  }
  merger.add(stitcher.finish());
  const summary = merger.finish(
    { path, sizeBytes: st.size, mtimeMs: st.mtimeMs, read },
    blockLines,
    blockOffsets,
  );
  hooks.onProgress?.(st.size, summary.events);
  return summary;
}

function limitsOf(options: WorkerScanOptions) {
  return {
    slowestPerOp: options.slowestPerOp ?? 10,
    maxSpans: options.maxSpans ?? 100_000,
    maxBadExamples: options.maxBadExamples ?? 5,
  };
}

/** The file cannot be read as ranges of members (one member only, or one too big): read it in one pass. */
class NotInRanges extends Error {}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
