// The worker_threads entry: runs engine work for the pool, one task at a time, and reports progress.
import { parentPort } from 'node:worker_threads';
import { BlockScanner, scanTraceFile } from '../summary/scan-file';
import { queryTraceEvents } from '../store/event-columns';
import { exportTraceFile } from '../export/export-file';
import type { FromWorker, ToWorker } from './worker-protocol';
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

port.on('message', async (msg: ToWorker) => {
  switch (msg.type) {
    case 'scan': {
      try {
        let last = 0;
        const summary = await scanTraceFile(msg.path, {
          ...msg.options,
          sync: true, // a worker may block: it is cancelled by being terminated
          packSlowest: true, // the pool's caller merges it into a run
          onProgress: (bytesDone, events) => {
            const now = Date.now();
            if (now - last < 100) return;
            last = now;
            post({ type: 'progress', id: msg.id, bytesDone, events });
          },
        });
        post({ type: 'scanned', id: msg.id, result: { ok: summary } }, buffersOf(summary));
      } catch (e) {
        post({ type: 'scanned', id: msg.id, result: { err: message(e) } });
      }
      break;
    }
    case 'scanBlock': {
      try {
        let scanner = sessions.get(msg.session);
        if (!scanner) sessions.set(msg.session, (scanner = new BlockScanner(msg.options)));
        const lines = scanner.scan(msg.block, msg.blockIndex, msg.offset);
        post({ type: 'blockScanned', id: msg.id, result: { ok: lines } });
      } catch (e) {
        post({ type: 'blockScanned', id: msg.id, result: { err: message(e) } });
      }
      break;
    }
    case 'scanRange': {
      try {
        let scanner = sessions.get(msg.session);
        if (!scanner) sessions.set(msg.session, (scanner = new BlockScanner(msg.options)));
        const r = scanner.scanRange(msg.path, msg.from, msg.to, msg.blockIndex, msg.first);
        post({ type: 'rangeScanned', id: msg.id, result: { ok: r } });
      } catch (e) {
        post({ type: 'rangeScanned', id: msg.id, result: { err: message(e) } });
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
