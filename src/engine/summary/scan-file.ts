import { stat } from 'node:fs/promises';
import {
  inflateRangeSync,
  newReadStatus,
  readTraceBytes,
  throwIfAborted,
  type ReadStatus,
} from '../read/trace-bytes';
import { forEachLine, MAX_LINE_BYTES, PieceLines } from '../read/lines';
import { closeSync, openSync, readSync } from 'node:fs';
import { badReason, LineFields, LineKind, Ph, scanLine } from '../scan/line-scanner';
import { decodeJsonString, escapeControlChars, Interner } from '../scan/interner';
import { LineTemplates } from '../scan/line-templates';
import { releaseView } from '../scan/byte-view';
import {
  S_BLOCK,
  S_BYTES,
  S_DUR,
  S_LINE,
  S_OFFSET,
  S_PID,
  S_TID,
  S_TS,
  SLOW_FIELDS,
  unpackRow,
  type PackedSlowest,
} from './packed-slowest';
import { reorderWrites, WriteTableBuilder, type WriteTable } from './write-table';
import { inOrder } from './bins';
import { IoStatsBuilder } from './io-stats';
import { HashBindings, Redeclarations } from './hash-bindings';
import { TopCalls } from './slow-writes';
import { BytesRule, bytesRule, callBytes, IoKind, ioKind, isIoCategory } from '../model/io-ops';
import {
  type AppSpan,
  type BadLineExample,
  type EraEvidence,
  type FormatEra,
  type OpRow,
  type TimeSeries,
  type TraceFileSummary,
} from '../model/types';

/** Which application events become spans (checkpoints, by default). */
export interface SpanPattern {
  /** Regular expression source matched against the event name. */
  name: string;
  /** Categories whose every event is a span. */
  cats: string[];
}

export const DEFAULT_SPAN_PATTERN: SpanPattern = {
  name: '^(PyTorchCheckpointing\\.checkpoint|TorchFramework\\.checkpoint|.*[Cc]heckpoint(ing)?\\.(save|checkpoint))$',
  cats: ['checkpoint'],
};

export interface ScanOptions {
  signal?: AbortSignal;
  /**
   * The caller may block (a worker thread): a gzip file is then inflated synchronously in pieces and scanned as it
   * goes, which is faster than the stream machinery; a file with any damage is read again the streaming way, which
   * reports damage exactly and reads past it.
   */
  sync?: boolean;
  /**
   * The summary goes to a RunMerger, which reads packed slowest calls: they stay numbers (`packedSlowest`, the
   * rows' `slowest` left empty) instead of tens of thousands of objects to build, post and collect.
   */
  packSlowest?: boolean;
  /** Called now and then with the compressed bytes of this file consumed so far. */
  onProgress?: (bytesDone: number, events: number) => void;
  spanPattern?: SpanPattern;
  /** Width of the timeline bins in microseconds. */
  binUs?: number;
  /** How many of the slowest calls to keep per (file, cat, op). */
  slowestPerOp?: number;
  maxSpans?: number;
  maxBadExamples?: number;
}

export const DEFAULT_BIN_US = 1_000_000;
const EXCERPT_CHARS = 160;

interface OpAcc {
  fileRef: number;
  nameId: number;
  catId: number;
  count: number;
  bytes: number;
  durUs: number;
  durMaxUs: number;
  /** Index of the row, which is also its place in the pool of slowest calls. */
  index: number;
  /** How many slowest calls the row holds, and the duration a call must beat to enter (-1 while there is room). */
  slowN: number;
  slowFloor: number;
}

interface ProcAcc {
  host: number;
  threads: Set<number>;
  events: number;
  dataOpUs: number;
}

/** Reads one trace file and returns its summary. Never throws for bad content; throws only when cancelled. */
export async function scanTraceFile(path: string, opts: ScanOptions = {}): Promise<TraceFileSummary> {
  const acc = new FileAccumulator(path, opts);
  const status = newReadStatus();
  try {
    const st = await stat(path);
    acc.sizeBytes = st.size;
    acc.mtimeMs = st.mtimeMs;
  } catch (e) {
    return acc.finish(status, describeFsError(e));
  }
  if (opts.sync && acc.sizeBytes <= SYNC_FILE_MAX_BYTES) {
    const summary = scanGzipSync(path, acc, opts);
    if (summary) return summary;
  }
  return scanStreaming(path, new FileAccumulator(path, opts), acc.sizeBytes, acc.mtimeMs, opts);
}

async function scanStreaming(
  path: string,
  acc: FileAccumulator,
  sizeBytes: number,
  mtimeMs: number,
  opts: ScanOptions,
): Promise<TraceFileSummary> {
  acc.sizeBytes = sizeBytes;
  acc.mtimeMs = mtimeMs;
  const status = newReadStatus();
  let error: string | undefined;
  try {
    let sinceProgress = 0;
    await forEachLine(
      readTraceBytes(path, status, opts.signal),
      (buf, start, end, lineNo, offset) => {
        acc.line(buf, start, end, lineNo, offset);
        if (++sinceProgress === 65536) {
          sinceProgress = 0;
          opts.onProgress?.(status.compressedDone, acc.events);
        }
      },
      (lineNo) => acc.overlong(lineNo),
    );
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    error = describeFsError(e);
  }
  opts.onProgress?.(status.compressedBytes, acc.events);
  return acc.finish(status, error, opts.packSlowest);
}

/** The sync path holds the whole compressed file in memory: bigger files stream (or are split between workers). */
const SYNC_FILE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * A whole gzip file inflated synchronously in pieces, lines split as they come (see ScanOptions.sync). Returns
 * undefined, having wasted the work, when the file is not gzip, is damaged in any way, or has a line longer than
 * MAX_LINE_BYTES: the streaming path handles those.
 */
function scanGzipSync(path: string, acc: FileAccumulator, opts: ScanOptions): TraceFileSummary | undefined {
  const status = newReadStatus();
  let lineNo = 0;
  let sinceProgress = 0;
  const lines = new PieceLines((b, start, end, offset) => {
    acc.line(b, start, end, ++lineNo, offset);
    if (++sinceProgress === 65536) {
      sinceProgress = 0;
      throwIfAborted(opts.signal);
      opts.onProgress?.(status.compressedDone, acc.events);
    }
  }, MAX_LINE_BYTES);
  try {
    if (!startsWithGzip(path)) return undefined;
    inflateRangeSync(path, 0, acc.sizeBytes, status, (text) => lines.push(text));
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return undefined;
  }
  if (lines.overlong || status.truncated || status.problems.length > 0) return undefined;
  const rest = lines.rest();
  if (rest.text.length > 0) acc.line(rest.text, 0, rest.text.length, ++lineNo, rest.offset);
  opts.onProgress?.(status.compressedBytes, acc.events);
  return acc.finish(status, undefined, opts.packSlowest);
}

function startsWithGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** The summary of a file that could not be read at all; it still takes its place in the run. */
export function failedSummary(path: string, error: string): TraceFileSummary {
  return new FileAccumulator(path, {}).finish(newReadStatus(), error);
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return err.message ?? String(e);
  }
}

/** Per-file state of the scan; one line at a time, no object per line. */
class FileAccumulator {
  sizeBytes = 0;
  mtimeMs = 0;
  lines = 0;
  events = 0;
  metadata = 0;
  counters = 0;
  otherPh = 0;
  badLines = 0;
  badExamples: BadLineExample[] = [];
  eventsWithArgs = 0;
  eventsWithFile = 0;
  tsMin = Infinity;
  tsMax = -Infinity;

  private readonly f = new LineFields();
  private readonly templates = new LineTemplates();
  private readonly names = new Interner();
  private readonly cats = new Interner();
  /** File references: either a path (from fname) or a hash token (from fhash), kept apart. */
  private readonly filePaths = new Interner();
  private readonly fileHashTokens = new Interner();
  private readonly hosts = new Interner();
  private readonly hostHashTokens = new Interner();
  private readonly catCounts: number[] = [];
  /** Indexed by file ref + 1, then by (name id + 1) * 2 + (STDIO ? 1 : 0): small-integer indices, no hashing. */
  private readonly opsByFile: OpAcc[][] = [];
  private readonly ops: OpAcc[] = [];
  private lastOp: OpAcc | undefined;
  private slowPool = new Float64Array(0);
  private readonly procs = new Map<number, ProcAcc>();
  private lastPid = NaN;
  private lastTid = NaN;
  private lastProc: ProcAcc | undefined;
  /** Timeline bins by (file ref + 1) * 2 + (write ? 1 : 0). */
  private readonly series: BinSeries[] = [];
  private readonly seriesKeys: number[] = [];
  private binBase: number | undefined;
  private lastBin = 0;
  private lastBinStart = Infinity;
  private readonly spans: AppSpan[] = [];
  private readonly writes = new WriteTableBuilder();
  private readonly io = new IoStatsBuilder();
  private readonly redeclared = new Redeclarations();
  private readonly fileBind = new HashBindings('FH', this.redeclared, this.fileHashTokens);
  private readonly hostBind = new HashBindings('HH', this.redeclared, this.hostHashTokens);
  private readonly stringBind = new HashBindings('SH', this.redeclared);
  /** The slowest writes, labelled with their op row's index. */
  private readonly slowWrites = new TopCalls<number>();
  private readonly slowWriteScratch = new Float64Array(SLOW_FIELDS);
  // per name id: bytes rule and read/write kind, computed once per distinct op name
  private readonly nameRule: number[] = [];
  private readonly nameKind: number[] = [];
  // per (cat id, name id): does the event become a span
  private readonly spanMatch = new Map<number, boolean>();
  private readonly catIsIo: boolean[] = [];
  private readonly spanRe: RegExp;
  private readonly spanCats: Set<string>;
  private readonly binUs: number;
  private readonly slowestK: number;
  private readonly maxSpans: number;
  private readonly maxBad: number;
  private readonly evidence = noEraEvidence();

  constructor(
    readonly path: string,
    opts: ScanOptions,
  ) {
    const pattern = opts.spanPattern ?? DEFAULT_SPAN_PATTERN;
    this.spanRe = new RegExp(pattern.name);
    this.spanCats = new Set(pattern.cats);
    this.binUs = opts.binUs ?? DEFAULT_BIN_US;
    this.slowestK = opts.slowestPerOp ?? 10;
    this.maxSpans = opts.maxSpans ?? 100_000;
    this.maxBad = opts.maxBadExamples ?? 5;
  }

  line(b: Uint8Array, start: number, end: number, lineNo: number, offset: number): void {
    this.lines = lineNo;
    const f = this.f;
    let kind: LineKind = LineKind.Object;
    if (!this.templates.match(b, start, end, f)) {
      kind = scanLine(b, start, end, f);
      if (kind === LineKind.Object) this.templates.learn(b, start, end);
    }
    if (kind === LineKind.Object) {
      switch (f.ph) {
        case Ph.None:
        case Ph.Complete:
          this.event(b, lineNo, offset);
          break;
        case Ph.Metadata:
          this.meta(b, lineNo);
          break;
        case Ph.Counter:
        case Ph.Aggregated:
          this.counters++;
          break;
        default:
          this.otherPh++;
      }
      if (f.intPh) this.evidence.intPh = true;
      if (f.hasId) this.evidence.id = true;
      if (f.quotedNumbers) this.evidence.quoted = true;
    } else if (kind === LineKind.Bad) {
      this.badLines++;
      if (this.badExamples.length < this.maxBad) {
        this.badExamples.push(
          this.located({ line: lineNo, reason: badReason, excerpt: excerpt(b, start, end) }),
        );
      }
    }
  }

  /** Set while scanning blocks of a big file: line numbers then count within this block. */
  block = -1;

  /** A part of a big file (BlockScanner): its hashes resolve when the parts merge. */
  isPart = false;

  /** A block of a big file starts, its lines counted from `firstLine` (see HashBindings for what that changes). */
  enterBlock(block: number, firstLine: number, again = false): void {
    if (block === this.block && !again) return;
    this.block = block;
    this.fileBind.enterBlock(block, firstLine);
    this.hostBind.enterBlock(block, firstLine);
    this.stringBind.enterBlock(block, firstLine);
  }

  private located<T extends { line: number; block?: number }>(x: T): T {
    if (this.block >= 0) x.block = this.block;
    return x;
  }

  overlong(lineNo: number): void {
    this.lines = lineNo;
    this.badLines++;
    if (this.badExamples.length < this.maxBad) {
      this.badExamples.push({ line: lineNo, reason: 'line longer than 64 MiB (binary data?)', excerpt: '' });
    }
  }

  private event(b: Uint8Array, lineNo: number, offset: number): void {
    const f = this.f;
    this.events++;
    if (f.hasArgs) this.eventsWithArgs++;
    const ts = f.ts;
    const dur = f.dur > 0 ? f.dur : 0;
    if (ts < this.tsMin) this.tsMin = ts;
    if (ts + dur > this.tsMax) this.tsMax = ts + dur;
    const catId = this.cats.span(b, f.cat);
    if (catId >= 0) {
      if (catId >= this.catCounts.length)
        for (let i = this.catCounts.length; i <= catId; i++) this.catCounts.push(0);
      this.catCounts[catId]++;
    }
    // one process writes a trace file: the last process and thread almost always repeat
    const pid = f.pid;
    let proc = this.lastProc;
    if (pid !== this.lastPid || proc === undefined) {
      proc = this.procs.get(pid);
      if (proc === undefined) {
        proc = { host: -1, threads: new Set(), events: 0, dataOpUs: 0 };
        this.procs.set(pid, proc);
      }
      this.lastPid = pid;
      this.lastProc = proc;
      this.lastTid = NaN;
    }
    proc.events++;
    if (f.tid !== this.lastTid) {
      proc.threads.add(f.tid);
      this.lastTid = f.tid;
    }
    if (proc.host < 0) {
      if (f.hostname.present) proc.host = this.hosts.span(b, f.hostname);
      else if (f.hhash.present) proc.host = -2 - this.hostHashTokens.span(b, f.hhash);
    }

    let fileRef = -1;
    if (f.fname.present) {
      fileRef = this.filePaths.span(b, f.fname) * 2;
    } else if (f.fhash.present) {
      fileRef = this.fileHashTokens.span(b, f.fhash) * 2 + 1;
      if (f.fhash.bare) this.evidence.hashBare = true;
      else this.evidence.hashString = true;
    }
    if (fileRef >= 0) this.eventsWithFile++;

    const nameId = this.names.span(b, f.name);
    if (catId >= 0 && this.catIo(catId)) {
      this.ioCall(fileRef, nameId, catId, dur, lineNo, offset);
    } else if (catId >= 0 || nameId >= 0) {
      this.maybeSpan(nameId, catId, ts, dur, lineNo, offset);
    }
  }

  private catIo(catId: number): boolean {
    let io = this.catIsIo[catId];
    if (io === undefined) {
      io = isIoCategory(this.cats.strings[catId]);
      this.catIsIo[catId] = io;
    }
    return io;
  }

  // `ts` is read from the fields, never passed: an epoch in µs is no small integer, and as an argument of a call
  // that is not inlined it would be boxed, once per line
  private ioCall(
    fileRef: number,
    nameId: number,
    catId: number,
    dur: number,
    lineNo: number,
    offset: number,
  ): void {
    const f = this.f;
    const ts = f.ts;
    if (nameId >= 0 && this.nameRule[nameId] === undefined) {
      const op = this.names.strings[nameId];
      this.nameRule[nameId] = bytesRule(op);
      this.nameKind[nameId] = ioKind(op);
    }
    const rule = nameId >= 0 ? this.nameRule[nameId] : BytesRule.None;
    const bytes = callBytes(rule, f.ret, f.size);
    let op = this.lastOp;
    if (op === undefined || op.fileRef !== fileRef || op.nameId !== nameId || op.catId !== catId) {
      let byOp = this.opsByFile[fileRef + 1];
      if (byOp === undefined) byOp = this.opsByFile[fileRef + 1] = [];
      const slot = (nameId + 1) * 2 + (this.cats.strings[catId] === 'STDIO' ? 1 : 0);
      op = byOp[slot];
      if (op === undefined) {
        op = {
          fileRef,
          nameId,
          catId,
          count: 0,
          bytes: 0,
          durUs: 0,
          durMaxUs: 0,
          index: this.ops.length,
          slowN: 0,
          slowFloor: -1,
        };
        byOp[slot] = op;
        this.ops.push(op);
      }
      this.lastOp = op;
    }
    op.count++;
    op.bytes += bytes;
    op.durUs += dur;
    if (dur > op.durMaxUs) op.durMaxUs = dur;
    if (dur > op.slowFloor) this.slowCall(op, dur, bytes, lineNo, offset);
    const kind = nameId >= 0 ? this.nameKind[nameId] : IoKind.Other;
    if (kind !== IoKind.Other) {
      if (ts === ts) this.bin(fileRef, kind, bytes);
      this.io.add(fileRef, kind, bytes, dur, f.offset, f.ret, this.block, lineNo);
      this.lastProc!.dataOpUs += dur;
    }
    if (kind === IoKind.Write) {
      if (dur > this.slowWrites.floor) this.slowWrite(op.index, dur, bytes, lineNo, offset);
      const w = this.writes;
      const row = w.add();
      if (row >= 0) {
        w.file[row] = fileRef + 1;
        w.block[row] = this.block;
        w.num.ts[row] = ts;
        w.num.dur[row] = dur;
        w.num.bytes[row] = bytes;
        w.num.line[row] = lineNo;
        w.num.offset[row] = offset;
        w.num.pid[row] = f.pid;
        w.num.tid[row] = f.tid;
      }
    }
  }

  /** Keeps the call among the op's slowest, kept slowest first in the pool. */
  private slowCall(op: OpAcc, dur: number, bytes: number, lineNo: number, offset: number): void {
    const k = this.slowestK;
    if (k <= 0) return;
    const need = (op.index + 1) * k * SLOW_FIELDS;
    if (this.slowPool.length < need) {
      const grown = new Float64Array(Math.max(need, this.slowPool.length * 2));
      grown.set(this.slowPool);
      this.slowPool = grown;
    }
    const pool = this.slowPool;
    const base = op.index * k * SLOW_FIELDS;
    let i = op.slowN < k ? op.slowN++ : k - 1;
    while (i > 0 && pool[base + (i - 1) * SLOW_FIELDS + S_DUR] < dur) {
      const to = base + i * SLOW_FIELDS;
      pool.copyWithin(to, to - SLOW_FIELDS, to);
      i--;
    }
    const at = base + i * SLOW_FIELDS;
    const f = this.f;
    pool[at + S_DUR] = dur;
    pool[at + S_TS] = f.ts;
    pool[at + S_BYTES] = bytes;
    pool[at + S_PID] = f.pid;
    pool[at + S_TID] = f.tid;
    pool[at + S_LINE] = lineNo;
    pool[at + S_OFFSET] = offset;
    pool[at + S_BLOCK] = this.block;
    if (op.slowN === k) op.slowFloor = pool[base + (k - 1) * SLOW_FIELDS + S_DUR];
  }

  private slowWrite(row: number, dur: number, bytes: number, lineNo: number, offset: number): void {
    const s = this.slowWriteScratch;
    const f = this.f;
    s[S_DUR] = dur;
    s[S_TS] = f.ts;
    s[S_BYTES] = bytes;
    s[S_PID] = f.pid;
    s[S_TID] = f.tid;
    s[S_LINE] = lineNo;
    s[S_OFFSET] = offset;
    s[S_BLOCK] = this.block;
    this.slowWrites.insert(s, 0, row);
  }

  private packedSlowest(): PackedSlowest {
    const k = Math.max(0, this.slowestK);
    return {
      k,
      pool: this.slowPool.slice(0, this.ops.length * k * SLOW_FIELDS),
      counts: Int32Array.from(this.ops, (op) => op.slowN),
    };
  }

  private bin(fileRef: number, kind: IoKind, bytes: number): void {
    const ts = this.f.ts;
    // relative to the first bin so indices stay small integers (absolute epoch bins are not)
    let bin: number;
    if (ts >= this.lastBinStart && ts < this.lastBinStart + this.binUs) bin = this.lastBin;
    else {
      const abs = Math.floor(ts / this.binUs);
      if (this.binBase === undefined) this.binBase = abs;
      bin = abs - this.binBase;
      this.lastBin = bin;
      this.lastBinStart = abs * this.binUs;
    }
    const seriesKey = (fileRef + 1) * 2 + (kind === IoKind.Write ? 1 : 0);
    let series = this.series[seriesKey];
    if (series === undefined) {
      series = new BinSeries();
      this.series[seriesKey] = series;
      this.seriesKeys.push(seriesKey);
    }
    series.add(bin, bytes);
  }

  private maybeSpan(
    nameId: number,
    catId: number,
    ts: number,
    dur: number,
    lineNo: number,
    offset: number,
  ): void {
    const key = (nameId + 1) * 0x10000 + catId + 1;
    let match = this.spanMatch.get(key);
    if (match === undefined) {
      const cat = catId >= 0 ? this.cats.strings[catId] : '';
      const name = nameId >= 0 ? this.names.strings[nameId] : '';
      match = this.spanCats.has(cat) || this.spanRe.test(name);
      this.spanMatch.set(key, match);
    }
    if (!match || this.spans.length >= this.maxSpans) return;
    this.spans.push(
      this.located({
        name: nameId >= 0 ? this.names.strings[nameId] : '',
        cat: catId >= 0 ? this.cats.strings[catId] : '',
        pid: this.f.pid,
        tid: this.f.tid,
        ts,
        dur,
        line: lineNo,
        offset,
      }),
    );
  }

  private meta(b: Uint8Array, lineNo: number): void {
    const f = this.f;
    this.metadata++;
    if (!f.argName.present || !f.argValue.present || f.name.end - f.name.start !== 2) return;
    const c0 = b[f.name.start];
    const c1 = b[f.name.start + 1];
    if (c1 !== 0x48) return; // 'H'
    const table =
      c0 === 0x46 ? this.fileBind : c0 === 0x48 ? this.hostBind : c0 === 0x53 ? this.stringBind : undefined;
    if (!table) return;
    const hash = tokenText(b, f.argValue.start, f.argValue.end);
    // by position: 16-bit hashes collide, and the writer then declares the same hash again for the other path
    const text = decodeJsonString(b.subarray(f.argName.start, f.argName.end), f.argName.escaped);
    table.declare(hash, text, this.block, lineNo);
  }

  private buildWrites(fileName: (ref: number) => string): WriteTable {
    // rows hold file ref + 1; the table's names are indexed the same way
    const maxRef = Math.max(-1, this.filePaths.size * 2 - 1, this.fileHashTokens.size * 2 - 1);
    const names: string[] = [];
    for (let ref = -1; ref <= maxRef; ref++) {
      const valid =
        ref < 0 || ((ref & 1) === 0 ? ref >> 1 < this.filePaths.size : ref >> 1 < this.fileHashTokens.size);
      names.push(valid ? fileName(ref) : '');
    }
    const table = this.writes.build(names, this.block >= 0);
    if (this.block >= 0) return table; // parts are put in order when they merge
    return reorderWrites(table, Array.from(table.file.keys()));
  }

  /** `packed`: the slowest calls stay numbers in `packedSlowest` (a part of a big file, merged by the caller). */
  finish(read: ReadStatus, error?: string, packed = false): TraceFileSummary {
    releaseView(); // the scanner's view of the last text buffer would keep it alive
    const fileName = (ref: number): string => {
      if (ref < 0) return '';
      if ((ref & 1) === 0) return this.filePaths.strings[ref >> 1];
      return this.fileBind.name(ref >> 1);
    };
    const hostName = (ref: number): string => {
      if (ref === -1) return '';
      if (ref >= 0) return this.hosts.strings[ref];
      return this.hostBind.name(-2 - ref);
    };
    const ops: OpRow[] = [];
    const slowest = this.packedSlowest();
    for (const op of this.ops) {
      ops.push({
        file: fileName(op.fileRef),
        cat: this.cats.strings[op.catId],
        op: op.nameId >= 0 ? this.names.strings[op.nameId] : '',
        count: op.count,
        bytes: op.bytes,
        durUs: op.durUs,
        durMaxUs: op.durMaxUs,
        slowest: packed ? [] : unpackRow(slowest, op.index),
      });
    }
    const timeline: TimeSeries[] = [];
    for (const key of this.seriesKeys) {
      const bins = this.series[key].flat(this.binBase!);
      timeline.push({ file: fileName(Math.floor(key / 2) - 1), kind: key % 2 ? 'write' : 'read', bins });
    }
    const categories: Record<string, number> = {};
    this.catCounts.forEach((n, id) => {
      if (n) categories[this.cats.strings[id]] = n;
    });
    const uncategorised = this.events - Object.values(categories).reduce((a, b) => a + b, 0);
    if (uncategorised > 0) categories[''] = uncategorised;
    return {
      path: this.path,
      sizeBytes: this.sizeBytes,
      mtimeMs: this.mtimeMs,
      read,
      error,
      lines: this.lines,
      events: this.events,
      metadata: this.metadata,
      counters: this.counters,
      otherPh: this.otherPh,
      badLines: this.badLines,
      badExamples: this.badExamples,
      era: eraOf(this.evidence, this.events + this.metadata),
      eraEvidence: this.evidence,
      eventsWithArgs: this.eventsWithArgs,
      eventsWithFile: this.eventsWithFile,
      tsMin: this.events ? this.tsMin : NaN,
      tsMax: this.events ? this.tsMax : NaN,
      categories,
      ops,
      processes: [...this.procs].map(([pid, p]) => ({
        pid,
        host: hostName(p.host),
        threads: [...p.threads].sort((a, b) => a - b),
        events: p.events,
        dataOpUs: p.dataOpUs,
      })),
      timeline,
      spans: this.spans,
      writes: this.buildWrites(fileName),
      io: this.io.build(fileName),
      ...(packed ? { packedSlowest: slowest } : {}),
      fileHashes: [...this.fileBind.first],
      hostHashes: [...this.hostBind.first],
      stringHashes: [...this.stringBind.first],
      ...this.hashOutcome(),
      slowWrites: this.slowWrites.build((row) => ops[row]),
    };
  }

  /** A whole file: the hashes it declared again for something else. A part: its declarations, for the merge. */
  private hashOutcome(): Pick<TraceFileSummary, 'redeclaredHashes' | 'hashDecls'> {
    if (this.isPart)
      return { hashDecls: [...this.fileBind.decls, ...this.hostBind.decls, ...this.stringBind.decls] };
    const redeclaredHashes = this.redeclared.summary();
    return redeclaredHashes ? { redeclaredHashes } : {};
  }
}

/**
 * Bytes and calls per time bin of one (file, read or write) series, as `[bin, bytes, calls]` cells in the order bins
 * first appear. Calls come nearly in time order (threads interleave a little), so a call almost always lands in the
 * last cell or one of the few before it; a cell further back is appended again and merged at the end. Memory is
 * the bins that saw a call, whatever the time span of the run.
 */
class BinSeries {
  private readonly cells: number[] = [];
  private last = -1;
  private ordered = true;

  add(bin: number, bytes: number): void {
    const cells = this.cells;
    let at = this.last;
    if (at < 0 || cells[at] !== bin) {
      at = -1;
      for (let k = cells.length - 3, n = 0; k >= 0 && n < RECENT_CELLS; k -= 3, n++) {
        if (cells[k] === bin) {
          at = k;
          break;
        }
      }
      if (at < 0) {
        if (cells.length > 0 && bin < cells[cells.length - 3]) this.ordered = false;
        at = cells.length;
        cells.push(bin, 0, 0);
      }
      this.last = at;
    }
    cells[at + 1] += bytes;
    cells[at + 2]++;
  }

  /** [bin, bytes, calls, ...] in bin order, each bin once; `base` turns relative bins absolute. */
  flat(base: number): Float64Array {
    const cells = Float64Array.from(this.cells);
    for (let i = 0; i < cells.length; i += 3) cells[i] += base;
    return this.ordered ? cells : inOrder(cells);
  }
}

/** How many cells back a call's bin is looked for before a new cell is started. */
const RECENT_CELLS = 4;

/** Evidence before any line was seen. */
export function noEraEvidence(): EraEvidence {
  return { intPh: false, id: false, quoted: false, hashString: false, hashBare: false };
}

export function eraOf(e: EraEvidence, objects: number): FormatEra {
  if (e.intPh) return '2026-int-ph';
  if (e.hashString) return 'v1.0.9-hex-hashes';
  if (e.hashBare) return 'v1.0.8-int-hashes';
  if (objects === 0) return 'unknown';
  if (!e.id) return 'prototype-2023';
  if (e.quoted) return 'v1.0.4-quoted';
  return 'plain-names';
}

/**
 * Scans the blocks of whole lines that one worker receives of a big file (the pool cuts such files so that several
 * threads share them). State carries over between blocks, so a hash declared in one block resolves in the next;
 * line numbers count within each block (recorded with it), offsets are file-wide.
 */
export class BlockScanner {
  private readonly acc: FileAccumulator;
  constructor(opts: ScanOptions) {
    this.acc = new FileAccumulator('', opts);
    this.acc.isPart = true;
  }

  /** Complete events scanned so far (progress). */
  get events(): number {
    return this.acc.events;
  }

  /** Returns the number of lines in the block. `offset` is added to the block's byte offsets. */
  scan(block: Uint8Array, blockIndex: number, offset: number): number {
    const acc = this.acc;
    acc.enterBlock(blockIndex, 1);
    const b = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    let p = 0;
    let lineNo = 0;
    while (p < b.length) {
      let nl = b.indexOf(10, p);
      if (nl < 0) nl = b.length;
      acc.line(b, p, nl, ++lineNo, offset + p);
      p = nl + 1;
    }
    return lineNo;
  }

  /** Scans one line that the caller put together (a line cut in two by a block boundary). */
  line(bytes: Uint8Array, blockIndex: number, lineNo: number, offset: number): void {
    // a line put together elsewhere: what this scanner knew of its block came from other lines
    this.acc.enterBlock(blockIndex, lineNo, true);
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.acc.line(b, 0, b.length, lineNo, offset);
  }

  /**
   * Inflates and scans the gzip members in [from, to) of a file (one worker's share of a multi-member file).
   * Its text may start or end inside a line: unless this is the file's first range, the text before the first
   * newline comes back as `head` (line 1 of the block, to be joined with the previous range's `tail`), and the
   * text after the last newline as `tail`; neither is scanned here. Offsets are relative to the range's text.
   */
  scanRange(path: string, from: number, to: number, blockIndex: number, first: boolean): RangeScan {
    const acc = this.acc;
    // the head (line 1) is scanned elsewhere, once joined with the previous range's tail
    acc.enterBlock(blockIndex, first ? 1 : 2);
    const read = newReadStatus();
    let head: Buffer | null = first ? Buffer.alloc(0) : null;
    let count = 0;
    const lines = new PieceLines((b, start, end, at) => {
      count++;
      if (head === null) head = Buffer.from(b.subarray(start, end));
      else acc.line(b, start, end, count, at);
    });
    inflateRangeSync(path, from, to, read, (text) => lines.push(text));
    return { lines: count, head, tail: lines.rest().text, read };
  }

  finish(): TraceFileSummary {
    return this.acc.finish(newReadStatus(), undefined, true);
  }
}

export interface RangeScan {
  /** Lines of the range, the head line included (when the range has one). */
  lines: number;
  /** Text before the first newline (null: the range holds no newline at all; empty for the first range). */
  head: Uint8Array | null;
  /** Text after the last newline. */
  tail: Uint8Array;
  read: ReadStatus;
}

/** A hash as the text of its token, so `123` and `"123"` join and 64-bit integers keep every digit. */
function tokenText(b: Uint8Array, s: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
}

function excerpt(b: Uint8Array, start: number, end: number): string {
  const text = Buffer.from(b.buffer, b.byteOffset + start, Math.min(end - start, EXCERPT_CHARS * 4)).toString(
    'utf8',
  );
  const visible = escapeControlChars(text);
  return visible.length > EXCERPT_CHARS ? visible.slice(0, EXCERPT_CHARS) + '…' : visible;
}
