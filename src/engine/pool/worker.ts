// The worker_threads entry: runs engine work for the pool, one task at a time, and reports progress.
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BlockScanner, scanTraceFile } from '../summary/scan-file';
import { newReadStatus } from '../read/trace-bytes';
import { readTextBlocksSync, type BlockSink } from '../read/text-blocks';
import { scanWholeInBlocks } from './split-scan';
import { statSync } from 'node:fs';

/** Smaller files are read whole at once (scanTraceFile's sync path holds up to 16 MiB of gzip in memory). */
const WHOLE_IN_BLOCKS_MIN_BYTES = 16 * 1024 * 1024;
import { queryTraceEvents } from '../store/event-columns';
import { readTimelineColumns, timelineBuffers } from '../timeline/columns';
import type { FromWorker, ToWorker, WorkerScanOptions } from './worker-protocol';
import { exportTraceFile } from '../export/export-file';
import type { TraceFileSummary } from '../model/types';

const port = parentPort;
/** Big files in progress: this worker's share of their blocks, by session. */
const sessions = new Map<number, BlockScanner>();
if (!port) throw new Error('worker.js must run as a worker thread');

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

/**
 * The typed arrays of a summary, moved rather than copied: a big file's part holds megabytes of them, and the copy
 * is made while the run waits for its last part. Each array owns its buffer (none is a view of a shared one).
 */
function buffersOf(s: TraceFileSummary): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = s.timeline.map((t) => t.bins);
  if (s.packedSlowest) arrays.push(s.packedSlowest.pool, s.packedSlowest.counts);
  const w = s.writes;
  if (w)
    arrays.push(w.file, w.ts, w.dur, w.bytes, w.line, w.offset, w.pid, w.tid, ...(w.block ? [w.block] : []));
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sessionScanner(session: number, options: WorkerScanOptions): BlockScanner {
  let scanner = sessions.get(session);
  if (!scanner) sessions.set(session, (scanner = new BlockScanner(options)));
  return scanner;
}

/**
 * Hands blocks to the pool (which passes them on to the other workers) while fewer than `maxAhead` are out, and
 * scans them here otherwise: the inflating thread then does its share of scanning instead of waiting, so every core
 * stays busy whatever the ratio of inflate to scan. Buffers come back through `back` once scanned, and are reused.
 */
class PortSink implements BlockSink {
  blocks = 0;
  private out = 0;
  private readonly free: Uint8Array[] = [];

  constructor(
    private readonly id: number,
    private readonly back: MessagePort,
    private readonly maxAhead: number,
    private readonly scanner: BlockScanner,
    private readonly read: ReturnType<typeof newReadStatus>,
  ) {}

  take(minBytes: number): Uint8Array | undefined {
    for (let m = receiveMessageOnPort(this.back); m; m = receiveMessageOnPort(this.back)) {
      this.out--;
      const buf = m.message as Uint8Array | null;
      if (buf && buf.length >= minBytes) this.free.push(buf);
    }
    const buf = this.free.pop();
    if (buf) return buf;
    return this.out < this.maxAhead ? new Uint8Array(minBytes) : undefined;
  }

  send(buf: Uint8Array, length: number, offset: number): void {
    this.out++;
    const index = this.blocks++;
    post({ type: 'textBlock', id: this.id, index, offset, length, block: buf, ...this.done() }, [
      buf.buffer as ArrayBuffer,
    ]);
  }

  scanHere(buf: Uint8Array, length: number, offset: number): void {
    const index = this.blocks++;
    const before = this.scanner.events;
    const lines = this.scanner.scan(buf.subarray(0, length), index, offset);
    const scanned = { lines, events: this.scanner.events - before };
    post({ type: 'textBlock', id: this.id, index, offset, length, scanned, ...this.done() });
  }

  private done() {
    return { compressedDone: this.read.compressedDone, textDone: this.read.uncompressedBytes };
  }
}

port.on('message', async (msg: ToWorker) => {
  switch (msg.type) {
    case 'scan': {
      try {
        let last = 0;
        const onProgress = (bytesDone: number, events: number) => {
          const now = Date.now();
          if (now - last < 100) return;
          last = now;
          post({ type: 'progress', id: msg.id, bytesDone, events });
        };
        const st = statSync(msg.path, { throwIfNoEntry: false });
        // a big file whole: inflated synchronously into one block that is scanned and refilled (constant memory)
        const summary =
          (st && st.size > WHOLE_IN_BLOCKS_MIN_BYTES
            ? scanWholeInBlocks(msg.path, st.size, st.mtimeMs, msg.options, onProgress)
            : undefined) ??
          (await scanTraceFile(msg.path, {
            ...msg.options,
            sync: true, // a worker may block: it is cancelled by being terminated
            packSlowest: true, // the pool's caller merges it into a run
            onProgress,
          }));
        post({ type: 'scanned', id: msg.id, result: { ok: summary } }, buffersOf(summary));
      } catch (e) {
        post({ type: 'scanned', id: msg.id, result: { err: message(e) } });
      }
      break;
    }
    case 'scanBlock': {
      try {
        const scanner = sessionScanner(msg.session, msg.options);
        const before = scanner.events;
        const lines = scanner.scan(msg.block.subarray(0, msg.length), msg.blockIndex, msg.offset);
        // the buffer goes back to be filled again: memory in flight stays a few blocks, whatever the file
        post(
          {
            type: 'blockScanned',
            id: msg.id,
            result: { ok: { lines, events: scanner.events - before, block: msg.block } },
          },
          [msg.block.buffer as ArrayBuffer],
        );
      } catch (e) {
        post({ type: 'blockScanned', id: msg.id, result: { err: message(e) } });
      }
      break;
    }
    case 'scanRange': {
      try {
        const scanner = sessionScanner(msg.session, msg.options);
        const r = scanner.scanRange(msg.path, msg.from, msg.to, msg.blockIndex, msg.first);
        post({ type: 'rangeScanned', id: msg.id, result: { ok: r } });
      } catch (e) {
        post({ type: 'rangeScanned', id: msg.id, result: { err: message(e) } });
      }
      break;
    }
    case 'readBlocks': {
      try {
        const read = newReadStatus();
        const sink = new PortSink(
          msg.id,
          msg.port,
          msg.maxAhead,
          sessionScanner(msg.session, msg.options),
          read,
        );
        const clean = readTextBlocksSync(msg.path, read, msg.blockBytes, sink);
        post({ type: 'blocksRead', id: msg.id, result: { ok: { read, blocks: sink.blocks, clean } } });
      } catch (e) {
        post({ type: 'blocksRead', id: msg.id, result: { err: message(e) } });
      } finally {
        msg.port.close();
      }
      break;
    }
    case 'finishSession': {
      const scanner = sessions.get(msg.session);
      sessions.delete(msg.session);
      try {
        const part = scanner ? scanner.finish() : null;
        post({ type: 'sessionFinished', id: msg.id, result: { ok: part } }, part ? buffersOf(part) : []);
      } catch (e) {
        post({ type: 'sessionFinished', id: msg.id, result: { err: message(e) } });
      }
      break;
    }
    case 'dropSession':
      sessions.delete(msg.session);
      break;
    case 'events': {
      try {
        const cols = await queryTraceEvents(msg.path, msg.query);
        const buffers = [cols.trace, cols.line, cols.lineOffset, cols.ts, cols.dur, cols.bytes]
          .concat([cols.fileOffset, cols.pid, cols.tid])
          .map((a) => a.buffer as ArrayBuffer);
        post({ type: 'events', id: msg.id, result: { ok: cols } }, [
          ...buffers,
          cols.op.buffer as ArrayBuffer,
          cols.cat.buffer as ArrayBuffer,
        ]);
      } catch (e) {
        post({ type: 'events', id: msg.id, result: { err: message(e) } });
      }
      break;
    }
    case 'timeline': {
      try {
        const cols = await readTimelineColumns(msg.path, msg.trace, msg.options);
        post({ type: 'timeline', id: msg.id, result: { ok: cols } }, timelineBuffers(cols));
      } catch (e) {
        post({ type: 'timeline', id: msg.id, result: { err: message(e) } });
      }
      break;
    }
    case 'export': {
      try {
        let last = 0;
        const result = await exportTraceFile(msg.task, {
          onProgress: (bytesDone, events) => {
            const now = Date.now();
            if (now - last < 100) return;
            last = now;
            post({ type: 'progress', id: msg.id, bytesDone, events });
          },
        });
        post({ type: 'exported', id: msg.id, result: { ok: result } });
      } catch (e) {
        post({ type: 'exported', id: msg.id, result: { err: message(e) } });
      }
      break;
    }
    default: {
      const never: never = msg;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});
