// The engine's public surface: what the CLI, the worker and the extension use. No `vscode` here or below.
export * from './run';
export * from './discover';
export * from './model/types';
export * from './model/io-ops';
export { WorkerPool, type PoolOptions } from './pool/worker-pool';
export {
  scanTraceFile,
  DEFAULT_SPAN_PATTERN,
  DEFAULT_BIN_US,
  type ScanOptions,
  type SpanPattern,
} from './summary/scan-file';
export * from './summary/run-summary';
export {
  queryTraceEvents,
  concatColumns,
  orderByTime,
  readRawLine,
  type EventColumns,
  type EventQuery,
} from './store/event-columns';
export { ResultCache } from './store/cache';
export { AbortedError, type ReadStatus } from './read/trace-bytes';
export {
  concatWriteTables,
  reorderWrites,
  WRITES_PER_FILE,
  WRITES_PER_RUN,
  type WriteTable,
} from './summary/write-table';
