import {
  type AppSpan,
  type BadLineExample,
  type CallNames,
  type EraEvidence,
  type HashDecl,
  type OpRow,
  type TraceFileSummary,
} from '../model/types';
import type { ReadStatus } from '../read/trace-bytes';
import { mergeBins, NO_BINS, seriesKey, splitSeriesKey } from './bins';
import { RowIndex } from './row-index';
import { RowSlowest } from './run-slowest';
import { IoStatsMerger, type IoStats } from './io-stats';
import { eraOf, noEraEvidence } from './scan-file';
import { PositionResolver } from './hash-bindings';
import { TopCalls } from './slow-writes';
import { concatWriteTables, orderBy, reorderWrites, WRITES_PER_FILE, type WriteTable } from './write-table';

type Meta = { path: string; sizeBytes: number; mtimeMs: number; read: ReadStatus; error?: string };
type Limits = { slowestPerOp: number; maxSpans: number; maxBadExamples: number };

/**
 * Joins the partial summaries that several workers made of one file's blocks into the file's summary: line
 * numbers become file-wide (`blockLines` holds each block's line count) and hashes one worker saw used but another
 * saw declared are resolved, as if the file had been read in one go.
 */
export function mergeFileParts(
  meta: Meta,
  parts: TraceFileSummary[],
  blockLines: number[],
  limits: Limits,
  /** Where each block's text starts in the file's text, when the parts' offsets are relative to their block. */
  blockOffsets?: number[],
): TraceFileSummary {
  const merger = new FilePartsMerger(limits);
  for (const p of parts) merger.add(p);
  return merger.finish(meta, blockLines, blockOffsets);
}

/**
 * mergeFileParts a part at a time, as the parts arrive: a worker that runs out of a file's work sends its part while
 * the others still scan, and what can be merged before the last part is in is merged then. That is everything but
 * what needs all parts: names (a hash may be declared in another part) and file-wide line numbers (they need every
 * block's line count). So rows are keyed by raw names here and joined when names resolve, and calls keep their
 * block-relative lines, ordered by (block, line), which is file order.
 */
export class FilePartsMerger {
  /** Every part's hash declarations: names resolve by position once all are in. */
  private readonly decls: HashDecl[] = [];
  private readonly slowWrites = new TopCalls<CallNames>();
  private readonly counts = {
    events: 0,
    metadata: 0,
    counters: 0,
    otherPh: 0,
    badLines: 0,
    eventsWithArgs: 0,
    eventsWithFile: 0,
  };
  private tsMin = NaN;
  private tsMax = NaN;
  private readonly evidence = noEraEvidence();
  private readonly categories: Record<string, number> = {};
  private readonly badExamples: BadLineExample[] = [];
  private readonly spans: AppSpan[] = [];
  /** Rows by raw (file, cat, op), with their slot in `slow`. */
  private readonly ops = new RowIndex<OpRow>();
  private readonly slots = new Map<OpRow, number>();
  private readonly slow: RowSlowest;
  private readonly procs = new Map<
    number,
    { host: string; threads: Set<number>; events: number; dataOpUs: number }
  >();
  /** Bins by raw `${kind}\0${file}`. */
  private readonly series = new Map<string, Float64Array>();
  private readonly writes: WriteTable[] = [];
  /** Merged in finish(), when every hash is known: streams are joined in block order there. */
  private readonly io: IoStats[] = [];

  constructor(private readonly limits: Limits) {
    this.slow = new RowSlowest(limits.slowestPerOp);
  }

  add(s: TraceFileSummary): void {
    const c = this.counts;
    c.events += s.events;
    c.metadata += s.metadata;
    c.counters += s.counters;
    c.otherPh += s.otherPh;
    c.badLines += s.badLines;
    c.eventsWithArgs += s.eventsWithArgs;
    c.eventsWithFile += s.eventsWithFile;
    if (!(s.tsMin >= this.tsMin)) this.tsMin = Number.isNaN(s.tsMin) ? this.tsMin : s.tsMin;
    if (!(s.tsMax <= this.tsMax)) this.tsMax = Number.isNaN(s.tsMax) ? this.tsMax : s.tsMax;
    for (const k of Object.keys(this.evidence) as (keyof EraEvidence)[])
      this.evidence[k] ||= s.eraEvidence[k];
    for (const [cat, n] of Object.entries(s.categories))
      this.categories[cat] = (this.categories[cat] ?? 0) + n;
    if (!s.hashDecls)
      throw new Error('mergeFileParts: a part without its hash declarations (not from BlockScanner)');
    for (const d of s.hashDecls) this.decls.push(d);
    if (s.slowWrites) this.slowWrites.addAll(s.slowWrites, (names) => names);
    this.badExamples.push(...s.badExamples);
    this.spans.push(...s.spans);
    const packed = s.packedSlowest;
    if (!packed)
      throw new Error('mergeFileParts: a part without packed slowest calls (not from BlockScanner)');
    // names stay raw: what a hash names at a place in the file is known once every part's declarations are in
    s.ops.forEach((row, r) => {
      const acc = this.row(this.ops, row.file, row);
      // no trace: the calls keep their blocks, and with them their place in the file
      this.slow.addPacked(this.slots.get(acc)!, packed, r);
    });
    for (const p of s.processes) {
      let acc = this.procs.get(p.pid);
      if (!acc) this.procs.set(p.pid, (acc = { host: '', threads: new Set(), events: 0, dataOpUs: 0 }));
      acc.events += p.events;
      acc.dataOpUs += p.dataOpUs;
      for (const t of p.threads) acc.threads.add(t);
      if (!acc.host) acc.host = p.host;
    }
    for (const t of s.timeline) {
      const key = seriesKey(t.kind, t.file);
      this.series.set(key, mergeBins(this.series.get(key) ?? NO_BINS, t.bins));
    }
    if (s.writes) this.writes.push(s.writes);
    if (s.io) this.io.push(s.io);
  }

  /** The row for (file, cat, op) in `rows`, made (with a slot) when new, with `row`'s figures added. */
  private row(rows: RowIndex<OpRow>, file: string, row: OpRow): OpRow {
    let acc = rows.get(file, row.cat, row.op);
    if (!acc) {
      acc = { ...row, file, slowest: [], count: 0, bytes: 0, durUs: 0, durMaxUs: 0 };
      rows.add(file, row.cat, row.op, acc);
      this.slots.set(acc, this.slow.newRow());
    }
    acc.count += row.count;
    acc.bytes += row.bytes;
    acc.durUs += row.durUs;
    acc.durMaxUs = Math.max(acc.durMaxUs, row.durMaxUs);
    return acc;
  }

  finish(meta: Meta, blockLines: number[], blockOffsets?: number[]): TraceFileSummary {
    const lineBase: number[] = [];
    let lines = 0;
    for (const n of blockLines) {
      lineBase.push(lines);
      lines += n ?? 0;
    }
    const move = <T extends { line: number; offset?: number; block?: number }>(x: T): T => {
      const { block, ...rest } = x;
      if (block === undefined) return rest as T;
      const moved = { ...rest, line: x.line + lineBase[block] } as T;
      if (blockOffsets && x.offset !== undefined) moved.offset = x.offset + blockOffsets[block];
      return moved;
    };
    const hashes = new PositionResolver(this.decls);
    const fileName = (name: string): string => hashes.resolve('FH', name);
    const hostName = (name: string): string => hashes.resolve('HH', name);
    const redeclared = hashes.redeclarations().summary();
    if (redeclared) {
      redeclared.examples = redeclared.examples.map(move);
    }

    // rows named by hashes resolve now, joining the row of that path if there is one
    let ops = this.ops;
    if (ops.values().some((row) => fileName(row.file) !== row.file)) {
      ops = new RowIndex();
      for (const raw of this.ops.values()) {
        const file = fileName(raw.file);
        if (file === raw.file && !ops.get(file, raw.cat, raw.op)) {
          ops.add(file, raw.cat, raw.op, raw); // as it is, slot and all
          continue;
        }
        const acc = this.row(ops, file, raw);
        this.slow.addRow(this.slots.get(acc)!, this.slots.get(raw)!);
      }
    }
    const rows = ops.values();
    // series named by hashes join the series of their path
    const series = new Map<string, Float64Array>();
    for (const [key, bins] of this.series) {
      const [kind, file] = splitSeriesKey(key);
      const resolved = seriesKey(kind, fileName(file));
      const prev = series.get(resolved);
      series.set(resolved, prev === undefined ? bins : mergeBins(prev, bins));
    }
    const out: TraceFileSummary = {
      ...meta,
      ...this.counts,
      lines,
      // the workers' parts interleave blocks: restore file order, then apply the limits a single pass would have
      badExamples: this.badExamples
        .map(move)
        .sort((a, b) => a.line - b.line)
        .slice(0, this.limits.maxBadExamples),
      era: eraOf(this.evidence, this.counts.events + this.counts.metadata),
      eraEvidence: this.evidence,
      tsMin: this.tsMin,
      tsMax: this.tsMax,
      categories: this.categories,
      ops: rows,
      processes: [...this.procs].map(([pid, p]) => ({
        pid,
        host: hostName(p.host),
        threads: [...p.threads].sort((a, b) => a - b),
        events: p.events,
        dataOpUs: p.dataOpUs,
      })),
      timeline: [...series].map(([key, bins]) => {
        const [kind, file] = splitSeriesKey(key);
        return { file, kind, bins };
      }),
      spans: this.spans
        .map(move)
        .sort((a, b) => a.line - b.line)
        .slice(0, this.limits.maxSpans),
      packedSlowest: this.slow.pack(
        rows.map((row) => this.slots.get(row)!),
        lineBase,
        blockOffsets,
      ),
      fileHashes: hashes.firsts('FH'),
      hostHashes: hashes.firsts('HH'),
      stringHashes: hashes.firsts('SH'),
      ...(redeclared ? { redeclaredHashes: redeclared } : {}),
      slowWrites: this.slowWrites.build((n) => ({ ...n, file: fileName(n.file) }), lineBase, blockOffsets),
    };
    const io = new IoStatsMerger();
    for (const part of this.io) io.add(part, fileName);
    out.io = io.finish();
    const tables = this.writes.map((w) => ({ table: { ...w, files: w.files.map(fileName) } }));
    if (tables.length) {
      const joined = concatWriteTables(tables, WRITES_PER_FILE, lineBase, blockOffsets);
      const order = orderBy(joined.line);
      out.writes = order ? reorderWrites(joined, order) : joined;
      delete out.writes.trace;
    }
    return out;
  }
}
