import {
  UNRESOLVED_PREFIX,
  type AppSpan,
  type OpRow,
  type ProcessInfo,
  type TraceFileSummary,
} from '../model/types';
import type { ReadStatus } from '../read/trace-bytes';
import { mergeBins, NO_BINS } from './bins';
import {
  packedLine,
  S_BLOCK,
  S_DUR,
  S_LINE,
  S_OFFSET,
  SLOW_FIELDS,
  type PackedSlowest,
} from './packed-slowest';
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
  // Parts carry their slowest calls packed (BlockScanner makes them so): each row remembers which parts' rows feed
  // it, and one numeric merge at the end makes the file's pool. No object per call here.
  const sources = new Map<OpRow, Sources>();
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
        sources.set(acc, []);
      }
      acc.count += row.count;
      acc.bytes += row.bytes;
      acc.durUs += row.durUs;
      acc.durMaxUs = Math.max(acc.durMaxUs, row.durMaxUs);
      if (packed.counts[r] > 0) sources.get(acc)!.push(packed, r);
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
  out.packedSlowest = mergePacked(
    out.ops.map((row) => sources.get(row)!),
    limits.slowestPerOp,
    lineBase,
    blockOffsets,
  );
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

/** A row's feeds: pairs of a part's pack and the row's index in it. */
type Sources = (PackedSlowest | number)[];

/**
 * The file's packed slowest calls: for each row (in order), the k slowest of the parts' rows that feed it, lines
 * and offsets made file-wide. Each part's row is slowest first with equal durations in line order: a merge.
 */
function mergePacked(
  rows: Sources[],
  k: number,
  lineBase: number[],
  offsetBase: number[] | undefined,
): PackedSlowest {
  const pool = new Float64Array(rows.length * k * SLOW_FIELDS);
  const counts = new Int32Array(rows.length);
  const heads: number[] = [];
  rows.forEach((src, i) => {
    const n = src.length / 2;
    heads.length = 0;
    for (let q = 0; q < n; q++) heads.push(0);
    let out = i * k * SLOW_FIELDS;
    let kept = 0;
    while (kept < k) {
      // the slowest head among the sources (ties: the earlier line in the file)
      let best = -1;
      let bestDur = 0;
      let bestLine = 0;
      for (let q = 0; q < n; q++) {
        const p = src[2 * q] as PackedSlowest;
        const r = src[2 * q + 1] as number;
        if (heads[q] >= p.counts[r]) continue;
        const at = (r * p.k + heads[q]) * SLOW_FIELDS;
        const dur = p.pool[at + S_DUR];
        const line = packedLine(p, at, lineBase);
        if (best < 0 || dur > bestDur || (dur === bestDur && line < bestLine)) {
          best = q;
          bestDur = dur;
          bestLine = line;
        }
      }
      if (best < 0) break;
      const p = src[2 * best] as PackedSlowest;
      const r = src[2 * best + 1] as number;
      const at = (r * p.k + heads[best]++) * SLOW_FIELDS;
      const block = p.pool[at + S_BLOCK];
      pool.set(p.pool.subarray(at, at + SLOW_FIELDS), out);
      pool[out + S_LINE] = bestLine;
      if (offsetBase && block >= 0) pool[out + S_OFFSET] += offsetBase[block];
      pool[out + S_BLOCK] = -1;
      out += SLOW_FIELDS;
      kept++;
    }
    counts[i] = kept;
  });
  return { k, pool, counts };
}
