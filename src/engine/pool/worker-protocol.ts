import type { TraceFileSummary } from '../model/types';
import type { RangeScan, ScanOptions } from '../summary/scan-file';
import type { EventColumns, EventQuery } from '../store/event-columns';
import type { TimelineColumns, TimelineReadOptions } from '../timeline/columns';
import type { MessagePort } from 'node:worker_threads';
import type { ReadStatus } from '../read/trace-bytes';

/** A scanned block: its lines and events, and its buffer back (to be filled again). */
export interface BlockScan {
  lines: number;
  events: number;
  block: Uint8Array;
}

/** The end of a `readBlocks` task: `clean` false when the file needs the careful reader (damage of any kind). */
export interface BlocksRead {
  read: ReadStatus;
  blocks: number;
  clean: boolean;
}
import type { ExportFileResult, ExportFileTask } from '../export/export-file';

/** A reply that either carries a value or says what went wrong. */
export type Result<T> = { ok: T } | { err: string };

/** Options that cross the thread boundary (no callbacks, no signals). */
export type WorkerScanOptions = Omit<ScanOptions, 'signal' | 'onProgress'>;

export type ToWorker =
  | { type: 'scan'; id: number; path: string; options: WorkerScanOptions }
  /** Whole lines of a big file, cut by the caller so that several workers share one file (a session). */
  | {
      type: 'scanBlock';
      id: number;
      session: number;
      blockIndex: number;
      offset: number;
      /** The block's text is block[0, length): the rest of the buffer is spare room, handed back with it. */
      block: Uint8Array;
      length: number;
      options: WorkerScanOptions;
    }
  /**
   * Read a whole file into line-aligned blocks (inflating it: one-member gzip can only be inflated by one thread):
   * each block goes back as a `textBlock` to be scanned elsewhere, or is scanned here when `maxAhead` blocks are out
   * already. Buffers of scanned blocks come back through `port`, one message per block handed out.
   */
  | {
      type: 'readBlocks';
      id: number;
      session: number;
      path: string;
      blockBytes: number;
      maxAhead: number;
      port: MessagePort;
      options: WorkerScanOptions;
    }
  /** The gzip members in [from, to) of a big multi-member file: this worker inflates and scans them. */
  | {
      type: 'scanRange';
      id: number;
      session: number;
      blockIndex: number;
      path: string;
      from: number;
      to: number;
      first: boolean;
      options: WorkerScanOptions;
    }
  /** The session's blocks are all scanned: reply with this worker's part of the file's summary. */
  | { type: 'finishSession'; id: number; session: number }
  /** The session was cancelled: forget its state. */
  | { type: 'dropSession'; session: number }
  | { type: 'events'; id: number; path: string; query: EventQuery }
  /** Every complete event of one trace file as timeline columns (the timeline view, `dftrace histogram`). */
  | {
      type: 'timeline';
      id: number;
      path: string;
      trace: number;
      options: Omit<TimelineReadOptions, 'signal'>;
    }
  /** Write one trace file's events as Parquet (dftrace export). */
  | { type: 'export'; id: number; task: ExportFileTask };

export type FromWorker =
  | { type: 'progress'; id: number; bytesDone: number; events: number }
  | { type: 'scanned'; id: number; result: Result<TraceFileSummary> }
  | { type: 'blockScanned'; id: number; result: Result<BlockScan> }
  /** A block of a `readBlocks` file: `block` to be scanned elsewhere, or already scanned here (`scanned`). */
  | {
      type: 'textBlock';
      id: number;
      index: number;
      offset: number;
      length: number;
      block?: Uint8Array;
      scanned?: { lines: number; events: number };
      compressedDone: number;
      textDone: number;
    }
  | { type: 'blocksRead'; id: number; result: Result<BlocksRead> }
  | { type: 'rangeScanned'; id: number; result: Result<RangeScan> }
  /** `ok` is null when this worker scanned no block of the session. */
  | { type: 'sessionFinished'; id: number; result: Result<TraceFileSummary | null> }
  | { type: 'events'; id: number; result: Result<EventColumns> }
  | { type: 'timeline'; id: number; result: Result<TimelineColumns> }
  | { type: 'exported'; id: number; result: Result<ExportFileResult> };
