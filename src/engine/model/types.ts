import type { ReadStatus } from '../read/trace-bytes';
import type { PackedSlowest } from '../summary/packed-slowest';
import type { WriteTable } from '../summary/write-table';
import type { IoStats } from '../summary/io-stats';

/**
 * Which writer produced a file, judged from what its lines look like (FORMAT.md):
 * - `prototype-2023`: no `id`, `ts` relative to the start;
 * - `v1.0.4-quoted`: every number quoted, plain `fname`/`hostname` (up to v1.0.4, seen until mid-2024);
 * - `plain-names`: integer fields, plain `fname`;
 * - `v1.0.8-int-hashes`: `fhash` as integers (Sep 2024 16-bit, v1.0.8 64-bit);
 * - `v1.0.9-hex-hashes`: `fhash` as 16-hex strings (v1.0.9 on, e.g. v1.0.15 in 2025);
 * - `2026-int-ph`: integer `ph`, no brackets;
 * - `unknown`: nothing to judge from (empty, unreadable).
 */
export type FormatEra =
  | 'prototype-2023'
  | 'v1.0.4-quoted'
  | 'plain-names'
  | 'v1.0.8-int-hashes'
  | 'v1.0.9-hex-hashes'
  | '2026-int-ph'
  | 'unknown';

export interface BadLineExample {
  line: number;
  /** Only while a big file is scanned in blocks: the block the line number counts within. */
  block?: number;
  reason: string;
  /** The start of the line, control characters made visible. */
  excerpt: string;
}

/** Where an event is, so it can be found again without re-reading everything before it. */
export interface EventLocation {
  /** 1-based line number in the (decompressed) text. */
  line: number;
  /** Byte offset of the line's first byte in the decompressed text. */
  offset: number;
  /** Only while a big file is scanned in blocks: the block the line number counts within. */
  block?: number;
}

export interface IoCall extends EventLocation {
  ts: number;
  dur: number;
  bytes: number;
  pid: number;
  tid: number;
}

/** Per (accessed file, category, op) figures from one trace file. */
export interface OpRow {
  file: string;
  cat: string;
  op: string;
  count: number;
  bytes: number;
  durUs: number;
  durMaxUs: number;
  /** The slowest calls, slowest first (a few per row). */
  slowest: IoCall[];
}

/** A time bin series: `bins` holds [binIndex, bytes, calls] triples, bin = floor(ts / binUs). */
export interface TimeSeries {
  file: string;
  kind: 'read' | 'write';
  bins: Float64Array;
}

/** An application-level span the caller asked for (checkpoint events by default). */
export interface AppSpan extends EventLocation {
  name: string;
  cat: string;
  pid: number;
  tid: number;
  ts: number;
  dur: number;
}

export interface ProcessInfo {
  pid: number;
  host: string;
  threads: number[];
  events: number;
  /** Summed duration of the process's data calls (POSIX/STDIO reads and writes). */
  dataOpUs: number;
}

/** What a file's lines looked like; the era is judged from it (and parts of a file merge by OR). */
export interface EraEvidence {
  intPh: boolean;
  id: boolean;
  quoted: boolean;
  hashString: boolean;
  hashBare: boolean;
}

/** Everything learned from one trace file, with its own hashes already resolved where it declared them. */
export interface TraceFileSummary {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  read: ReadStatus;
  /** A message when the file could not be read at all (missing, permission denied, ...). */
  error?: string;
  lines: number;
  events: number;
  metadata: number;
  counters: number;
  /** Objects whose `ph` is none of the known kinds. */
  otherPh: number;
  badLines: number;
  badExamples: BadLineExample[];
  era: FormatEra;
  eraEvidence: EraEvidence;
  /** Complete events whose `args` is present and not empty. */
  eventsWithArgs: number;
  /** Complete events that name a file (args.fname or args.fhash). */
  eventsWithFile: number;
  tsMin: number;
  tsMax: number;
  categories: Record<string, number>;
  ops: OpRow[];
  processes: ProcessInfo[];
  timeline: TimeSeries[];
  spans: AppSpan[];
  /** The file's write calls (sampled past a cap); absent in a run's files once the run merged them. */
  writes?: WriteTable;
  /** Per accessed file size classes, access order and write extent, and the write durations (for insights);
   * absent in a run's files once the run merged them. */
  io?: IoStats;
  /** Only in the parts of a big file that workers scan together: the ops' slowest calls, packed (their
   * `slowest` lists are then empty); mergeFileParts unpacks them. */
  packedSlowest?: PackedSlowest;
  /** Hash tables this file declared: [hash, text]. Files and hosts the file could not resolve itself are
   * written as `UNRESOLVED_PREFIX + hash` and resolved against the whole run when summaries merge. */
  fileHashes: [string, string][];
  hostHashes: [string, string][];
  stringHashes: [string, string][];
  /** Hashes the file declared again for another path (16-bit hashes collide): resolved by position, and a problem
   * of the file. Absent when there is none. */
  redeclaredHashes?: { count: number; examples: RedeclaredHash[] };
  /** Only in the parts of a big file: every hash declaration with its place, for mergeFileParts to resolve with. */
  hashDecls?: HashDecl[];
  /** The file's slowest write calls (see SlowWrites); absent in a run's files once the run merged them. */
  slowWrites?: SlowWrites;
}

/** Which metadata table a hash belongs to: `FH` files, `HH` hosts, `SH` other strings. */
export type HashKind = 'FH' | 'HH' | 'SH';

/** A hash declaration and its place: [kind, hash, text, block (-1 for none), line within the block]. */
export type HashDecl = [HashKind, string, string, number, number];

export interface RedeclaredHash {
  kind: HashKind;
  hash: string;
  /** What the hash named before, and what it was declared for then. */
  first: string;
  then: string;
  /** The line of the second declaration. */
  line: number;
  block?: number;
}

/**
 * The slowest write calls of a scan (or a run), slowest first, as numbers: SLOW_FIELDS per call (see
 * packed-slowest.ts; the S_BLOCK field holds the block in a part, the trace file in a run, -1 otherwise), each
 * with its accessed file and op.
 */
export interface SlowWrites {
  pool: Float64Array;
  names: CallNames[];
}

export interface CallNames {
  file: string;
  cat: string;
  op: string;
}

/** Marks a file or host name that is still a hash, to be resolved across the run. */
export const UNRESOLVED_PREFIX = '\u0000hash:';
