import type { StorageTier } from '../compare/tiers';
import type { SpanPattern } from '../summary/scan-file';

export type Severity = 'high' | 'warn' | 'info';

export type RuleId =
  | 'small-writes'
  | 'small-reads'
  | 'metadata-heavy'
  | 'rank-imbalance'
  | 'stdio-heavy'
  | 'slow-write-tail'
  | 'checkpoint-share'
  | 'scr-sync-flush'
  | 'scr-small-copy-buffer'
  | 'scr-cache-slower-than-pfs'
  | 'random-access'
  | 'shared-file-imbalance'
  | 'redundant-writes';

export type EvidenceUnit = 'us' | 'bytes' | 'count' | 'percent' | 'ratio' | 'bytesPerSecond' | 'text';

/** One figure a rule used; `text` is how it reads (the unit applied), `value` the number (null: not a number). */
export interface Evidence {
  key: string;
  label: string;
  value: number | null;
  unit: EvidenceUnit;
  text: string;
}

/** An event that shows the finding: where it is (trace file + line) and what it was. */
export interface InsightExample {
  /** Path of the trace file, and its index in the run. */
  trace: string;
  traceIndex: number;
  /** 1-based line in the decompressed trace text, and the byte offset of that line. */
  line: number;
  offset: number;
  /** The accessed file ('' for an application event such as a checkpoint). */
  file: string;
  op: string;
  dur: number;
  bytes: number;
}

export interface Finding {
  id: RuleId;
  severity: Severity;
  title: string;
  evidence: Evidence[];
  recommendation: string;
  /** At most five events. */
  examples: InsightExample[];
  /** Some figure was estimated from a sample (a run past the write table's caps); the evidence says which. */
  approximate?: boolean;
}

export interface NotEvaluated {
  id: RuleId;
  reason: string;
}

export interface InsightReport {
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  /** Rules judged that did not fire, each with the figures it judged (for the comparison's side by side). */
  passed: { id: RuleId; title: string; evidence: Evidence[] }[];
  scrRun: boolean;
}

/** Thresholds, as the settings `dftrace.insights.<key>` name them. */
export interface InsightThresholds {
  'smallIo.percent': number;
  'smallIo.minCount': number;
  'metadata.percent': number;
  'metadata.minSeconds': number;
  'rankImbalance.ratio': number;
  'rankImbalance.minSeconds': number;
  'stdio.percent': number;
  'stdio.minBytes': number;
  'slowWriteTail.minWrites': number;
  'slowWriteTail.ratio': number;
  'checkpointShare.percent': number;
  'scrSyncFlush.percent': number;
  'scrSmallCopyBuffer.minWrites': number;
  'scrSmallCopyBuffer.percent': number;
  'randomAccess.percent': number;
  'randomAccess.minCount': number;
  'sharedFileImbalance.percent': number;
  'sharedFileImbalance.minBytes': number;
  'redundantWrites.minBytes': number;
}

export const DEFAULT_THRESHOLDS: InsightThresholds = {
  'smallIo.percent': 10,
  'smallIo.minCount': 1000,
  'metadata.percent': 50,
  'metadata.minSeconds': 1,
  'rankImbalance.ratio': 2,
  'rankImbalance.minSeconds': 1,
  'stdio.percent': 10,
  'stdio.minBytes': 1024 * 1024,
  'slowWriteTail.minWrites': 100,
  'slowWriteTail.ratio': 10,
  'checkpointShare.percent': 20,
  'scrSyncFlush.percent': 50,
  'scrSmallCopyBuffer.minWrites': 100,
  'scrSmallCopyBuffer.percent': 50,
  'randomAccess.percent': 20,
  'randomAccess.minCount': 1000,
  'sharedFileImbalance.percent': 15,
  'sharedFileImbalance.minBytes': 1024 * 1024,
  'redundantWrites.minBytes': 1024 * 1024,
};

export interface InsightOptions {
  tiers: StorageTier[];
  /** Which spans are checkpoints (as the comparison counts them). */
  checkpointPattern?: SpanPattern;
  /** The tier label of the parallel file system. Default 'PFS'. */
  pfsTier?: string;
  thresholds?: Partial<InsightThresholds>;
}

export const SEVERITY_ORDER: Record<Severity, number> = { high: 0, warn: 1, info: 2 };
