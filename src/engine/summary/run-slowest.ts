import type { IoCall } from '../model/types';
import {
  callAt,
  S_BLOCK,
  S_BYTES,
  S_DUR,
  S_LINE,
  S_OFFSET,
  S_PID,
  S_TID,
  S_TS,
  SLOW_FIELDS,
  type PackedSlowest,
} from './packed-slowest';

/**
 * In a run's pack the calls' lines are file-wide, so the field that holds a call's block in a part's pack holds the
 * trace file (its index in RunSummary.files) instead; in a whole file's pack it is -1.
 */
export const S_TRACE = S_BLOCK;

/** A call's place: before `b`'s call when slower; equal durations in file order (trace file, then line). */
export function before(a: Float64Array, at: number, b: Float64Array, bt: number): boolean {
  const d = a[at + S_DUR] - b[bt + S_DUR];
  if (d !== 0) return d > 0;
  const t = a[at + S_TRACE] - b[bt + S_TRACE];
  return t < 0 || (t === 0 && a[at + S_LINE] < b[bt + S_LINE]);
}

/**
 * The slowest calls of op rows while they are merged (a big file's parts into the file, files into the run): `k`
 * per row, slowest first, as numbers. A big file has thousands of rows with ten calls each; as objects they were
 * most of the time and garbage of merging it, though only the run's few hundred slowest are ever looked at as
 * objects (RunSummary.slowest).
 */
export class RowSlowest {
  private pool: Float64Array;
  private counts: Int32Array;
  private rows = 0;
  private readonly scratch = new Float64Array(SLOW_FIELDS);

  constructor(readonly k: number) {
    this.pool = new Float64Array(64 * k * SLOW_FIELDS);
    this.counts = new Int32Array(64);
  }

  /** A new, empty row; returns its slot. */
  newRow(): number {
    if (this.rows === this.counts.length) {
      const counts = new Int32Array(this.rows * 2);
      counts.set(this.counts);
      this.counts = counts;
      const pool = new Float64Array(this.rows * 2 * this.k * SLOW_FIELDS);
      pool.set(this.pool);
      this.pool = pool;
    }
    return this.rows++;
  }

  /**
   * Adds row `r` of a pack, slowest first with equal durations in file order. A trace file's pack gives `trace`, its
   * index in the run. A part of one big file's gives none: its calls keep their blocks, and a block's lines count
   * within it, so (block, line) is their place in the file until pack() makes lines file-wide. Stops at the first
   * call that does not make the row's cut: the ones after it are no faster, and later in the file.
   */
  addPacked(slot: number, p: PackedSlowest, r: number, trace?: number): void {
    const s = this.scratch;
    for (let i = 0; i < p.counts[r]; i++) {
      const at = (r * p.k + i) * SLOW_FIELDS;
      for (let x = 0; x < SLOW_FIELDS; x++) s[x] = p.pool[at + x];
      if (trace !== undefined) s[S_TRACE] = trace;
      if (!this.insert(slot, s, 0)) return;
    }
  }

  /** Adds calls given as objects (a file scanned without packing), in any order. */
  addCalls(slot: number, calls: IoCall[], trace: number): void {
    const s = this.scratch;
    for (const c of calls) {
      s[S_DUR] = c.dur;
      s[S_TS] = c.ts;
      s[S_BYTES] = c.bytes;
      s[S_PID] = c.pid;
      s[S_TID] = c.tid;
      s[S_LINE] = c.line;
      s[S_OFFSET] = c.offset;
      s[S_TRACE] = trace;
      this.insert(slot, s, 0);
    }
  }

  /** Adds the calls of another row (two raw names that resolve to one file). */
  addRow(slot: number, from: number): void {
    const base = from * this.k * SLOW_FIELDS;
    for (let i = 0; i < this.counts[from]; i++) {
      // copied out first: inserting may move the pool's calls around
      const s = this.scratch;
      for (let x = 0; x < SLOW_FIELDS; x++) s[x] = this.pool[base + i * SLOW_FIELDS + x];
      if (!this.insert(slot, s, 0)) return;
    }
  }

  /** Places the call at `src[at..]` in the row when it makes the cut; false when it does not. */
  private insert(slot: number, src: Float64Array, at: number): boolean {
    const k = this.k;
    const pool = this.pool;
    const base = slot * k * SLOW_FIELDS;
    const n = this.counts[slot];
    if (n === k && !before(src, at, pool, base + (k - 1) * SLOW_FIELDS)) return false;
    let i = n < k ? n : k - 1;
    while (i > 0 && before(src, at, pool, base + (i - 1) * SLOW_FIELDS)) {
      const to = base + i * SLOW_FIELDS;
      pool.copyWithin(to, to - SLOW_FIELDS, to);
      i--;
    }
    for (let x = 0; x < SLOW_FIELDS; x++) pool[base + i * SLOW_FIELDS + x] = src[at + x];
    if (n < k) this.counts[slot] = n + 1;
    return true;
  }

  /**
   * The pack of the given slots, in that order (the final row order). `lineBase` and `offsetBase`, by block, make
   * the lines and offsets of calls that kept their blocks file-wide; their block becomes -1.
   */
  pack(slots: number[], lineBase?: number[], offsetBase?: number[]): PackedSlowest {
    const k = this.k;
    const size = k * SLOW_FIELDS;
    const pool = new Float64Array(slots.length * size);
    const counts = new Int32Array(slots.length);
    slots.forEach((slot, i) => {
      const n = (counts[i] = this.counts[slot]);
      pool.set(this.pool.subarray(slot * size, slot * size + n * SLOW_FIELDS), i * size);
      if (!lineBase) return;
      for (let at = i * size; at < i * size + n * SLOW_FIELDS; at += SLOW_FIELDS) {
        const block = pool[at + S_BLOCK];
        if (block < 0) continue;
        pool[at + S_LINE] += lineBase[block];
        if (offsetBase) pool[at + S_OFFSET] += offsetBase[block];
        pool[at + S_BLOCK] = -1;
      }
    });
    return { k, pool, counts };
  }
}

/** Row `row`'s call `i` of a run's pack, as an object that names its row. */
export function runCall(
  p: PackedSlowest,
  row: number,
  i: number,
  names: { file: string; cat: string; op: string },
): IoCall & { trace: number; file: string; cat: string; op: string } {
  const at = (row * p.k + i) * SLOW_FIELDS;
  return {
    ...callAt(p.pool, at),
    trace: p.pool[at + S_TRACE],
    file: names.file,
    cat: names.cat,
    op: names.op,
  };
}
