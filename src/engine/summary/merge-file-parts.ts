import {
  UNRESOLVED_PREFIX,
  type AppSpan,
  type OpRow,
  type ProcessInfo,
  type TraceFileSummary,
} from '../model/types';
import type { ReadStatus } from '../read/trace-bytes';
import { mergeBins, NO_BINS } from './bins';
import { RowSlowest } from './run-slowest';
import { eraOf } from './scan-file';
import { concatWriteTables, orderBy, reorderWrites, WRITES_PER_FILE } from './write-table';

/**
 * Joins the partial summaries that several workers made of one file's blocks into the file's summary: line
 * numbers become file-wide (`blockLines` holds each block's line count) and hashes one worker saw used but another
 * saw declared are resolved, as if the file had been read in one go.
 */
export function mergeFileParts(
  meta: { path: string; sizeBytes: number; mtimeMs: number; read: ReadStatus; error?: string },
  parts: TraceFileSummary[],
  blockLines: number[],
  limits: { slowestPerOp: number; maxSpans: number; maxBadExamples: number },
  /** Where each block's text starts in the file's text, when the parts' offsets are relative to their block. */
  blockOffsets?: number[],
): TraceFileSummary {
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
  const fileHashes = new Map<string, string>();
  const hostHashes = new Map<string, string>();
  const stringHashes = new Map<string, string>();
  for (const s of parts) {
    for (const [h, v] of s.fileHashes) if (!fileHashes.has(h)) fileHashes.set(h, v);
    for (const [h, v] of s.hostHashes) if (!hostHashes.has(h)) hostHashes.set(h, v);
    for (const [h, v] of s.stringHashes) if (!stringHashes.has(h)) stringHashes.set(h, v);
  }
  const resolve = (table: Map<string, string>) => (name: string) =>
    name.startsWith(UNRESOLVED_PREFIX) ? (table.get(name.slice(UNRESOLVED_PREFIX.length)) ?? name) : name;
  const fileName = resolve(fileHashes);
  const hostName = resolve(hostHashes);

  const out: TraceFileSummary = {
    ...meta,
    lines: 0,
    events: 0,
    metadata: 0,
    counters: 0,
    otherPh: 0,
    badLines: 0,
    badExamples: [],
    era: 'unknown',
    eraEvidence: { intPh: false, id: false, quoted: false, hashString: false, hashBare: false },
    eventsWithArgs: 0,
    eventsWithFile: 0,
    tsMin: NaN,
    tsMax: NaN,
    categories: {},
    ops: [],
    processes: [],
    timeline: [],
    spans: [],
    fileHashes: [...fileHashes],
    hostHashes: [...hostHashes],
    stringHashes: [...stringHashes],
  };
  const ops = new Map<string, OpRow>();
  // Parts carry their slowest calls packed (BlockScanner makes them so) and they are merged as numbers: no object
  // per call here
  const slow = new RowSlowest(limits.slowestPerOp);
  const slots = new Map<OpRow, number>();
  const procs = new Map<number, ProcessInfo & { threadSet: Set<number> }>();
  const series = new Map<string, Float64Array>();
  for (const s of parts) {
    out.events += s.events;
    out.metadata += s.metadata;
    out.counters += s.counters;
    out.otherPh += s.otherPh;
    out.badLines += s.badLines;
    out.eventsWithArgs += s.eventsWithArgs;
    out.eventsWithFile += s.eventsWithFile;
    if (!(s.tsMin >= out.tsMin)) out.tsMin = Number.isNaN(s.tsMin) ? out.tsMin : s.tsMin;
    if (!(s.tsMax <= out.tsMax)) out.tsMax = Number.isNaN(s.tsMax) ? out.tsMax : s.tsMax;
    for (const k of Object.keys(out.eraEvidence) as (keyof typeof out.eraEvidence)[]) {
      out.eraEvidence[k] ||= s.eraEvidence[k];
    }
    for (const [cat, n] of Object.entries(s.categories)) out.categories[cat] = (out.categories[cat] ?? 0) + n;
    for (const b of s.badExamples) {
      out.badExamples.push(move(b));
    }
    const packed = s.packedSlowest;
    if (!packed)
      throw new Error('mergeFileParts: a part without packed slowest calls (not from BlockScanner)');
    s.ops.forEach((row, r) => {
      const file = fileName(row.file);
      const key = `${file}\u0000${row.cat}\u0000${row.op}`;
      let acc = ops.get(key);
      if (!acc) {
        acc = { ...row, file, slowest: [] };
        acc.count = acc.bytes = acc.durUs = acc.durMaxUs = 0;
        ops.set(key, acc);
        slots.set(acc, slow.newRow());
      }
      acc.count += row.count;
      acc.bytes += row.bytes;
      acc.durUs += row.durUs;
      acc.durMaxUs = Math.max(acc.durMaxUs, row.durMaxUs);
      slow.addPacked(slots.get(acc)!, packed, r, -1, lineBase, blockOffsets);
    });
    for (const p of s.processes) {
      let acc = procs.get(p.pid);
      if (!acc) {
        acc = { pid: p.pid, host: '', threads: [], events: 0, threadSet: new Set() };
        procs.set(p.pid, acc);
      }
      acc.events += p.events;
      for (const t of p.threads) acc.threadSet.add(t);
      if (!acc.host) acc.host = hostName(p.host);
    }
    for (const t of s.timeline) {
      const key = `${t.kind}\u0000${fileName(t.file)}`;
      series.set(key, mergeBins(series.get(key) ?? NO_BINS, t.bins));
    }
    for (const sp of s.spans) out.spans.push(move<AppSpan>(sp));
  }
  // the workers' parts interleave blocks: restore file order, then apply the limits a single pass would have
  out.badExamples.sort((a, b) => a.line - b.line).splice(limits.maxBadExamples);
  out.spans.sort((a, b) => a.line - b.line).splice(limits.maxSpans);
  out.lines = lines;
  const tables = parts.flatMap((p) =>
    p.writes ? [{ table: { ...p.writes, files: p.writes.files.map(fileName) } }] : [],
  );
  if (tables.length) {
    const joined = concatWriteTables(tables, WRITES_PER_FILE, lineBase, blockOffsets);
    const order = orderBy(joined.line);
    out.writes = order ? reorderWrites(joined, order) : joined;
    delete out.writes.trace;
  }
  out.era = eraOf(out.eraEvidence, out.events + out.metadata);
  out.ops = [...ops.values()];
  out.packedSlowest = slow.pack(out.ops.map((row) => slots.get(row)!));
  out.processes = [...procs.values()].map(({ threadSet, ...p }) => ({
    ...p,
    threads: [...threadSet].sort((a, b) => a - b),
  }));
  for (const [key, bins] of series) {
    const [kind, file] = key.split('\u0000') as ['read' | 'write', string];
    out.timeline.push({ file, kind, bins });
  }
  return out;
}
