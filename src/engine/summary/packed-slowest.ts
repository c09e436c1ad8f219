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

/** The call at pool index `at` as an object (its block, if any, left out). */
export function callAt(pool: Float64Array, at: number): IoCall {
  return {
    ts: pool[at + S_TS],
    dur: pool[at + S_DUR],
    bytes: pool[at + S_BYTES],
    pid: pool[at + S_PID],
    tid: pool[at + S_TID],
    line: pool[at + S_LINE],
    offset: pool[at + S_OFFSET],
  };
}

/** The calls of one row as objects (a call keeps its block, when it has one). */
export function unpackRow(p: PackedSlowest, row: number): IoCall[] {
  const out: IoCall[] = [];
  for (let i = 0; i < p.counts[row]; i++) {
    const at = (row * p.k + i) * SLOW_FIELDS;
    const call = callAt(p.pool, at);
    if (p.pool[at + S_BLOCK] >= 0) call.block = p.pool[at + S_BLOCK];
    out.push(call);
  }
  return out;
}
