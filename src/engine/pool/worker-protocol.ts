import type { TraceFileSummary } from '../model/types';
import type { RangeScan, ScanOptions } from '../summary/scan-file';
import type { EventColumns, EventQuery } from '../store/event-columns';
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
      block: Uint8Array;
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
  /** Write one trace file's events as Parquet (dftrace export). */
  | { type: 'export'; id: number; task: ExportFileTask };

export type FromWorker =
  | { type: 'progress'; id: number; bytesDone: number; events: number }
  | { type: 'scanned'; id: number; result: Result<TraceFileSummary> }
  | { type: 'blockScanned'; id: number; result: Result<number> }
  | { type: 'rangeScanned'; id: number; result: Result<RangeScan> }
  /** `ok` is null when this worker scanned no block of the session. */
  | { type: 'sessionFinished'; id: number; result: Result<TraceFileSummary | null> }
  | { type: 'events'; id: number; result: Result<EventColumns> }
  | { type: 'exported'; id: number; result: Result<ExportFileResult> };
