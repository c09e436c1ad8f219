import type { TraceFileSummary } from '../model/types';
import type { ScanOptions } from '../summary/scan-file';
import type { EventColumns, EventQuery } from '../store/event-columns';

/** A reply that either carries a value or says what went wrong. */
export type Result<T> = { ok: T } | { err: string };

/** Options that cross the thread boundary (no callbacks, no signals). */
export type WorkerScanOptions = Omit<ScanOptions, 'signal' | 'onProgress'>;

export type ToWorker =
  | { type: 'scan'; id: number; path: string; options: WorkerScanOptions }
  | { type: 'events'; id: number; path: string; query: EventQuery };

export type FromWorker =
  | { type: 'progress'; id: number; bytesDone: number; events: number }
  | { type: 'scanned'; id: number; result: Result<TraceFileSummary> }
  | { type: 'events'; id: number; result: Result<EventColumns> };
