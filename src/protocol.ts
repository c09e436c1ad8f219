/**
 * Every message between the extension host and its webviews, as discriminated unions with a literal `type`.
 * Webviews ask for what they show (a summary, a page of events) by request/reply with ids; tables travel as
 * Apache Arrow IPC bytes, never as JSON arrays of objects. Host <-> worker messages live beside the engine
 * (src/engine/pool/worker-protocol.ts, which must not depend on anything above the engine) and are re-exported.
 */
export type { FromWorker, Result, ToWorker } from './engine/pool/worker-protocol';
import type { Result } from './engine/pool/worker-protocol';
import type { SystemFilter } from './views/system-files';
import type { Finding, NotEvaluated, RuleDiffRow } from './engine/insights';

export type ViewKind = 'dashboard' | 'events' | 'compare' | 'timeline';

/** Locates one event of a run: its trace file (index in the run) and its line there. */
export interface EventRef {
  trace: number;
  line: number;
  /** Byte offset of the line in the decompressed trace text (for "show raw line"). */
  offset: number;
}

export interface LoadProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  events: number;
  elapsedMs: number;
}

/** A storage tier the settings define (path prefix or glob -> label), in the order they match. */
export interface TierInfo {
  label: string;
  pattern: string;
}

export interface BadLineInfo {
  trace: string;
  line: number;
  reason: string;
  excerpt: string;
}

export interface RunHeader {
  label: string;
  folder: string;
  traceFiles: number;
  events: number;
  metadata: number;
  counters: number;
  /** Microseconds; NaN-free: 0 when the run has no events. */
  tsMin: number;
  tsMax: number;
  processes: number;
  threads: number;
  hosts: string[];
  eras: Record<string, number>;
  compressedBytes: number;
  uncompressedBytes: number;
  badLines: number;
  badExamples: BadLineInfo[];
  truncated: { trace: string; problems: string[] }[];
  /** Files that declared a hash again for another path (resolved by position), with what the problem says. */
  hashCollisions: { trace: string; problem: string }[];
  unreadable: { trace: string; error: string }[];
  /** Files read in full that still had something to say (a `.gz` name on plain text, a CRC mismatch, ...). */
  notes?: { trace: string; problems: string[] }[];
  /** 0-byte trace files: the process wrote nothing. */
  emptyFiles?: string[];
  /** No event carries `args`: no sizes or file names were recorded (DFTRACER_INC_METADATA unset). */
  noArgs: boolean;
  unresolvedFileHashes: number;
  writesTotal: number;
  writesKept: number;
  checkpointSpans: number;
}

export interface SlowCall extends EventRef {
  file: string;
  tier: string;
  op: string;
  cat: string;
  /** Microseconds since the run's first event. */
  relUs: number;
  dur: number;
  bytes: number;
  pid: number;
  tid: number;
}

export interface DashboardSummary {
  header: RunHeader;
  tiers: TierInfo[];
  /**
   * Arrow IPC: one row per (file, cat, op): file utf8, tier utf8, cat utf8, op utf8, count f64, bytes f64,
   * durUs f64, durMaxUs f64.
   */
  ops: Uint8Array;
  slowestWrites: SlowCall[];
  /** Writes slower than this are "slow" (from the settings: a percentile of this run's writes, or fixed µs). */
  slowThresholdUs: number;
  slowThresholdLabel: string;
  /** Which files count as the runtime's, and whether the user wants them hidden (setting dftrace.hideSystemFiles). */
  systemFiles?: SystemFilter;
}

export interface WritesAnswer {
  /**
   * Arrow IPC, one row per write shown: relS f64 (seconds since run start), dur f64 (µs), bytes f64,
   * file utf8, tier utf8, trace i32, line f64, offset f64, pid f64, tid f64.
   */
  table: Uint8Array;
  total: number;
  shown: number;
  slowThresholdUs: number;
}

export type SortColumn = 'time' | 'dur' | 'bytes' | 'op' | 'offset' | 'pid';

export interface SortSpec {
  column: SortColumn;
  descending: boolean;
}

export interface EventsPage {
  /** Rows matching the filter, in all. */
  total: number;
  start: number;
  /**
   * Arrow IPC for rows [start, start + count): index f64 (row number in this order), relUs f64, ts f64, dur f64,
   * op utf8, cat utf8, bytes f64, offset f64 (NaN: none), pid f64, tid f64, host utf8, trace utf8 (file name),
   * traceIndex i32, line f64, lineOffset f64.
   */
  rows: Uint8Array;
  /** Ops present on this file with their counts, for the op filter. */
  ops: { op: string; count: number }[];
}

/** What a webview can ask; each kind has its answer type in `Answers`. */
export type Query =
  | { kind: 'summary' }
  /** `run`: which run of a comparison (index in its runs); a dashboard has one run. */
  | { kind: 'writes'; maxPoints: number; groupBy: 'file' | 'tier'; run?: number }
  | { kind: 'eventsPage'; start: number; count: number; sort: SortSpec; op?: string }
  | { kind: 'locate'; ref: EventRef; sort: SortSpec; op?: string }
  /** `showSystem`: include the runtime's files in the per-pattern figures although the setting hides them. */
  | { kind: 'compare'; showSystem?: boolean }
  | { kind: 'patternOps'; pattern: string }
  /** The run's insight findings (a dashboard), or per rule what changed against the baseline (a comparison). */
  | { kind: 'insights' }
  | { kind: 'insightsDiff' };

export interface Answers {
  summary: DashboardSummary;
  writes: WritesAnswer;
  eventsPage: EventsPage;
  /** Row index of the event in the given order and filter, or -1 when the filter hides it. */
  locate: { index: number };
  compare: CompareData;
  patternOps: PatternOpsAnswer;
  insights: InsightsAnswer;
  insightsDiff: InsightsDiffAnswer;
}

export interface InsightsAnswer {
  /** Worst first. */
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  /** Rules judged that did not fire. */
  passed: { id: string; title: string }[];
  scrRun: boolean;
}

export interface InsightsDiffAnswer {
  /** Run labels, baseline first. */
  labels: string[];
  /** One list per run after the baseline: per rule, fired in both / cleared / new / quiet / not evaluated. */
  diffs: RuleDiffRow[][];
}

export type AnswerFor<Q extends Query> = Answers[Q['kind']];

export interface MetricRow {
  key: string;
  label: string;
  unit: 'us' | 'bytes' | 'count';
  /** One value per run, the baseline first; null when a run has nothing to measure. */
  values: (number | null)[];
  /** value - baseline, and value / baseline, per run (the baseline's own are 0 and 1). */
  deltas: (number | null)[];
  ratios: (number | null)[];
  /** Computed from sampled writes (a run with more writes than the engine keeps per file). */
  approximate?: boolean;
  /** How the figure is defined, for a tooltip. */
  help?: string;
}

export interface PatternFigures {
  files: number;
  writeCalls: number;
  writeBytes: number;
  writeUs: number;
}

export interface PatternRow {
  /** File name with digits stripped: `layer-1-100-3.pt` -> `layer.pt`. */
  pattern: string;
  /** One per run, baseline first. */
  values: PatternFigures[];
  /** Each run minus the baseline. */
  deltas: PatternFigures[];
}

export interface CompareData {
  runs: { runId: string; label: string; folder: string; role: 'baseline' | 'other' }[];
  metrics: MetricRow[];
  patterns: PatternRow[];
  /** Per run, its slowest writes (each opens that run's event list on it). */
  slowestWrites: SlowCall[][];
  markdown: string;
  csv: string;
  /** Per run, the system files left out of the per-pattern figures (none when shown or not hidden). */
  systemHidden?: { files: number; durUs: number }[];
  /** The setting hides system files (so the view offers to show or hide them). */
  systemFilter?: boolean;
}

export interface PatternOpsAnswer {
  pattern: string;
  /** Per run: calls, bytes and time per op on the files of the pattern. */
  runs: { cat: string; op: string; count: number; bytes: number; durUs: number; files: number }[][];
}

/** Webview -> host. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'request'; id: number; query: Query }
  | { type: 'openEvents'; runId: string; file: string; op?: string; select?: EventRef }
  | { type: 'openDashboard'; runId: string }
  /** From a one-file dashboard: open the run made of the file's whole folder. */
  | { type: 'openWholeRun' }
  | { type: 'showRawLine'; runId: string; ref: EventRef }
  | { type: 'copyText'; text: string }
  /** The event list's selection changed (the host offers "show raw line" for it and tests observe it). */
  | { type: 'selected'; ref: EventRef | null }
  | { type: 'revealTraceFile'; runId: string; trace: number }
  /** Read the run again (after a cancel or a failure). */
  | { type: 'reload' };

/** What a view shows, sent once in `init`. */
export type ViewTarget =
  /** `siblings`: other trace files beside a one-file run's file (0 for a folder run). */
  | { view: 'dashboard'; runId: string; label: string; siblings: number }
  | {
      view: 'events';
      runId: string;
      label: string;
      file: string;
      tier: string;
      op?: string;
      select?: EventRef;
    }
  | { view: 'compare'; runIds: string[]; labels: string[] };

/** Host -> webview. */
export type ToWebview =
  | { type: 'init'; target: ViewTarget }
  | { type: 'progress'; progress: LoadProgress }
  | { type: 'loaded' }
  | { type: 'loadFailed'; message: string }
  | { type: 'reply'; id: number; result: Result<AnswerFor<Query>> }
  | { type: 'select'; ref: EventRef; op?: string }
  | { type: 'settingsChanged' };

// ---------------------------------------------------------------------------------------------------------------
// Timeline (webview/timeline <-> src/views/timeline-panel.ts): its own request/reply set, so the other views'
// exhaustive switches are untouched. The webview asks for what it shows (a density tile of the visible range and
// lanes); every table crosses as typed arrays or Arrow IPC, never as an array of objects per event.

export type TimelineGroupBy = 'op' | 'file' | 'process' | 'cat';

export interface TimelineLaneInfo {
  host: string;
  pid: number;
  tid: number;
  /** From `PR` metadata; null when the trace does not name it. */
  rank: number | null;
  events: number;
}

export interface TimelineOverview {
  label: string;
  tsMin: number;
  tsMax: number;
  events: number;
  /** Lanes in display order (hosts, then ranks or pids, then threads). */
  lanes: TimelineLaneInfo[];
  /** Category names by id (ids as in tiles' `dominant`); 0 is ''. */
  categories: string[];
  /** Op names with their event counts, most first (for the histogram's op picker). */
  ops: { op: string; count: number }[];
  counters: { name: string; pid: number }[];
  /** Checkpoint spans (the `dftrace.checkpoint` settings), as the summary found them. */
  checkpoints: { name: string; pid: number; tid: number; ts: number; dur: number }[];
  callTreeSource: 'p_idx' | 'containment' | 'mixed' | 'none';
  /** Seconds the events took to read into the timeline, after the summary. */
  loadSeconds: number;
}

export interface TimelineTile {
  t0: number;
  t1: number;
  columns: number;
  lanes: number[];
  /** lanes x columns: busy fraction and dominant category id. */
  busy: Float32Array;
  dominant: Uint16Array;
  /** Single events at least a column wide: store row, index into `lanes`, nesting depth, start, duration, cat. */
  evRow: Uint32Array;
  evLane: Uint16Array;
  evDepth: Uint8Array;
  evTs: Float64Array;
  evDur: Float64Array;
  evCat: Uint16Array;
  truncated: boolean;
  /** Bytes per second per column, over every lane (the filter applies). */
  readBps: Float64Array;
  writeBps: Float64Array;
  /** Per counter series (overview order), its last value in each column (NaN: no sample). */
  counters: Float64Array[];
}

export interface TimelineAggregate {
  /** Arrow IPC: key utf8, count f64, bytes f64, durUs f64, busyUs f64; busiest first. */
  table: Uint8Array;
  total: { count: number; bytes: number; durUs: number; busyUs: number };
  groups: number;
}

export interface TimelineEventDetail {
  row: number;
  name: string;
  cat: string;
  ts: number;
  /** Microseconds since the run's first event. */
  relUs: number;
  dur: number;
  pid: number;
  tid: number;
  host: string;
  file: string;
  bytes: number;
  id: number | null;
  pIdx: number | null;
  level: number | null;
  trace: string;
  ref: EventRef;
}

export interface TimelineCallTree {
  parent: Int32Array;
  name: string[];
  count: Float64Array;
  totalUs: Float64Array;
  selfUs: Float64Array;
  source: TimelineOverview['callTreeSource'];
}

export interface TimelineHistogram {
  op: string;
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  binsLo: Float64Array;
  binsHi: Float64Array;
  binsCount: Float64Array;
}

export interface TimelineRange {
  t0: number;
  t1: number;
  lanes: number[];
}

export type TimelineQuery =
  | { kind: 'overview' }
  | { kind: 'tile'; t0: number; t1: number; columns: number; lanes: number[]; filter: string }
  | { kind: 'aggregate'; t0: number; t1: number; lanes: number[]; by: TimelineGroupBy; filter: string }
  | { kind: 'event'; row: number }
  /** The call tree of the events in the range and lanes (the whole run when absent) that pass the filter. */
  | { kind: 'callTree'; range?: TimelineRange; filter: string }
  | { kind: 'histogram'; op: string; measure: 'dur' | 'bytes'; range?: TimelineRange; filter: string };

export interface TimelineAnswers {
  overview: TimelineOverview;
  tile: TimelineTile;
  aggregate: TimelineAggregate;
  event: TimelineEventDetail;
  callTree: TimelineCallTree;
  histogram: TimelineHistogram;
}

export type TimelineAnswerFor<Q extends TimelineQuery> = TimelineAnswers[Q['kind']];

export type TimelineFromWebview =
  | { type: 'ready' }
  | { type: 'request'; id: number; query: TimelineQuery }
  /** Open the event's accessed file in the event list with the event selected. */
  | { type: 'openEvents'; file: string; select: EventRef }
  | { type: 'showRawLine'; ref: EventRef };

export type TimelineToWebview =
  | { type: 'init'; runId: string; label: string }
  | { type: 'progress'; message: string }
  | { type: 'loaded' }
  | { type: 'loadFailed'; message: string }
  | { type: 'reply'; id: number; result: Result<TimelineAnswerFor<TimelineQuery>> };
