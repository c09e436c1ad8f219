import type { IoCall } from '../model/types';

/**
 * The slowest calls of a scan's op rows as one array of numbers. A worker's part of a big file holds tens of
 * thousands of them; as objects they cost the worker time to build, the message time to copy, and the main thread
 * time to rebuild and collect, all while the run waits for its last file.
 */
export interface PackedSlowest {
  /** At most this many calls per row. */
  k: number;
  /** Row i's calls start at i * k * SLOW_FIELDS, slowest first. */
  pool: Float64Array;
  /** How many calls each row has. */
  counts: Int32Array;
}

export const SLOW_FIELDS = 8;
export const S_DUR = 0;
export const S_TS = 1;
export const S_BYTES = 2;
export const S_PID = 3;
export const S_TID = 4;
export const S_LINE = 5;
export const S_OFFSET = 6;
/** The block the line counts within, or -1. */
export const S_BLOCK = 7;

/**
 * The calls of one row as objects. `lineBase` and `offsetBase`, indexed by block, make a call's line and offset
 * file-wide (the merge of a big file's parts); the block is then dropped.
 */
export function unpackRow(
  p: PackedSlowest,
  row: number,
  lineBase?: number[],
  offsetBase?: number[],
): IoCall[] {
  const out: IoCall[] = [];
  for (let i = 0; i < p.counts[row]; i++)
    out.push(unpackCall(p, (row * p.k + i) * SLOW_FIELDS, lineBase, offsetBase));
  return out;
}

/** The call at `at` in the pool as an object (see unpackRow). */
export function unpackCall(p: PackedSlowest, at: number, lineBase?: number[], offsetBase?: number[]): IoCall {
  const pool = p.pool;
  const call: IoCall = {
    ts: pool[at + S_TS],
    dur: pool[at + S_DUR],
    bytes: pool[at + S_BYTES],
    pid: pool[at + S_PID],
    tid: pool[at + S_TID],
    line: pool[at + S_LINE],
    offset: pool[at + S_OFFSET],
  };
  const block = pool[at + S_BLOCK];
  if (block >= 0) {
    if (lineBase) {
      call.line += lineBase[block];
      if (offsetBase) call.offset += offsetBase[block];
    } else call.block = block;
  }
  return call;
}

/** A call's line, file-wide when `lineBase` is given. */
export function packedLine(p: PackedSlowest, at: number, lineBase?: number[]): number {
  const block = p.pool[at + S_BLOCK];
  return p.pool[at + S_LINE] + (lineBase && block >= 0 ? lineBase[block] : 0);
}

/**
 * The k first of two lists that are both slowest first: `a` as objects, and row `row` of a pack. One merging pass;
 * a packed call becomes an object (`make`) only when it makes the cut. `aFirst(c, at)` says whether object `c` goes
 * before the packed call at pool index `at`.
 */
export function mergeWithPacked<T>(
  a: T[],
  p: PackedSlowest,
  row: number,
  k: number,
  aFirst: (c: T, at: number) => boolean,
  make: (at: number) => T,
): T[] {
  const n = p.counts[row];
  const base = row * p.k * SLOW_FIELDS;
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (out.length < k && (i < a.length || j < n)) {
    const at = base + j * SLOW_FIELDS;
    if (j >= n || (i < a.length && aFirst(a[i], at))) out.push(a[i++]);
    else {
      out.push(make(at));
      j++;
    }
  }
  return out;
}
