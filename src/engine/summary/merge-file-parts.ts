import {
  UNRESOLVED_PREFIX,
  type AppSpan,
  type IoCall,
  type OpRow,
  type ProcessInfo,
  type TraceFileSummary,
} from '../model/types';
import type { ReadStatus } from '../read/trace-bytes';
import { mergeBins } from './bins';
import {
  mergeWithPacked,
  packedLine,
  S_BLOCK,
  S_DUR,
  S_LINE,
  S_OFFSET,
  SLOW_FIELDS,
  unpackCall,
  type PackedSlowest,
} from './packed-slowest';
import { eraOf } from './scan-file';
import { concatWriteTables, reorderWrites, WRITES_PER_FILE } from './write-table';

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
  // the same for calls, as a literal: tens of thousands of them, and rest/spread copies are slow
  const moveCall = (c: IoCall): IoCall => {
    if (c.block === undefined) return c;
    return {
      ts: c.ts,
      dur: c.dur,
      bytes: c.bytes,
      pid: c.pid,
      tid: c.tid,
      line: c.line + lineBase[c.block],
      offset: blockOffsets ? c.offset + blockOffsets[c.block] : c.offset,
    };
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
  // When every part is packed (as workers send them), the file's slowest calls stay packed too: each row remembers
  // which parts' rows feed it, and one numeric merge at the end makes the file's pool. No object per call here.
  const allPacked = parts.every((s) => s.packedSlowest !== undefined);
  const sources: (PackedSlowest | number)[][] = [];
  const index = new Map<OpRow, number>();
  const rowIndex = (acc: OpRow): number => index.get(acc)!;
  const procs = new Map<number, ProcessInfo & { threadSet: Set<number> }>();
  const series = new Map<string, number[]>();
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
    s.ops.forEach((row, r) => {
      const file = fileName(row.file);
      const key = `${file}\u0000${row.cat}\u0000${row.op}`;
      let acc = ops.get(key);
      if (!acc) {
        acc = { ...row, file, slowest: [] };
        acc.count = acc.bytes = acc.durUs = acc.durMaxUs = 0;
        ops.set(key, acc);
        index.set(acc, sources.length);
        sources.push([]);
      }
      acc.count += row.count;
      acc.bytes += row.bytes;
      acc.durUs += row.durUs;
      acc.durMaxUs = Math.max(acc.durMaxUs, row.durMaxUs);
      if (allPacked) {
        if (packed!.counts[r] > 0) sources[rowIndex(acc)].push(packed!, r);
      } else
        acc.slowest = packed
          ? topSlowestPacked(acc.slowest, packed, r, lineBase, blockOffsets, limits.slowestPerOp)
          : topSlowest(acc.slowest, row.slowest.map(moveCall), limits.slowestPerOp);
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
      series.set(key, mergeBins(series.get(key) ?? [], t.bins));
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
    const order = Array.from(joined.line.keys()).sort((a, b) => joined.line[a] - joined.line[b]);
    out.writes = reorderWrites(joined, order);
    delete out.writes.trace;
  }
  out.era = eraOf(out.eraEvidence, out.events + out.metadata);
  out.ops = [...ops.values()];
  if (allPacked) {
    out.packedSlowest = mergePacked(out.ops, rowIndex, sources, limits.slowestPerOp, lineBase, blockOffsets);
  }
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

/** Slowest first; among equal durations the earlier line first, as a single pass keeps them. */
function bySlowest(x: IoCall, y: IoCall): number {
  return y.dur - x.dur || x.line - y.line;
}

/** The k slowest of two lists: each is slowest first already (as scans keep them), so one merging pass does. */
function topSlowest(a: IoCall[], b: IoCall[], k: number): IoCall[] {
  if (!isSlowestFirst(b)) b = [...b].sort(bySlowest);
  if (a.length === 0) return b.length > k ? b.slice(0, k) : b;
  const out: IoCall[] = [];
  let i = 0;
  let j = 0;
  while (out.length < k && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && bySlowest(a[i], b[j]) <= 0)) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

/**
 * The file's packed slowest calls: for each row, the k slowest of the parts' rows that feed it, lines and offsets
 * made file-wide. Each part's row is slowest first with equal durations in line order, so this is a merge.
 */
function mergePacked(
  rows: OpRow[],
  rowIndex: (row: OpRow) => number,
  sources: (PackedSlowest | number)[][],
  k: number,
  lineBase: number[],
  offsetBase: number[] | undefined,
): PackedSlowest {
  const pool = new Float64Array(rows.length * k * SLOW_FIELDS);
  const counts = new Int32Array(rows.length);
  const heads: number[] = [];
  for (const row of rows) {
    const i = rowIndex(row);
    const src = sources[i];
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
  }
  return { k, pool, counts };
}

/**
 * topSlowest with the second list still packed: a part's calls become objects only when they make the cut (half
 * of them or fewer, when two parts saw the same row).
 */
function topSlowestPacked(
  a: IoCall[],
  p: PackedSlowest,
  row: number,
  lineBase: number[],
  offsetBase: number[] | undefined,
  k: number,
): IoCall[] {
  // a part's calls are slowest first, equal durations in line order: each worker scans its blocks in order
  const pool = p.pool;
  return mergeWithPacked(
    a,
    p,
    row,
    k,
    (c, at) => {
      const d = pool[at + S_DUR] - c.dur;
      return d < 0 || (d === 0 && c.line <= packedLine(p, at, lineBase));
    },
    (at) => unpackCall(p, at, lineBase, offsetBase),
  );
}

function isSlowestFirst(calls: IoCall[]): boolean {
  for (let i = 1; i < calls.length; i++) if (bySlowest(calls[i - 1], calls[i]) > 0) return false;
  return true;
}
