import type { CallNames, SlowWrites } from '../model/types';
import { S_BLOCK, S_DUR, S_LINE, S_OFFSET, SLOW_FIELDS } from './packed-slowest';
import { before, S_TRACE } from './run-slowest';

/**
 * How many of the slowest write calls a file, a big file's part and a run keep. The dashboard lists them and the
 * CLI prints the first 20: they are kept apart from the slowest calls of any kind, which on real runs are all
 * opens and stats.
 */
export const SLOW_WRITES_KEPT = 500;

/** The k slowest calls seen, slowest first (equal durations in file order), each with a label. */
export class TopCalls<L> {
  readonly pool: Float64Array;
  readonly labels: L[] = [];
  n = 0;
  /** The duration a call must beat to enter (-1 while there is room). */
  floor = -1;

  constructor(readonly k = SLOW_WRITES_KEPT) {
    this.pool = new Float64Array(k * SLOW_FIELDS);
  }

  /** Places the call at `src[at..]` when it makes the cut; false when it does not. */
  insert(src: Float64Array, at: number, label: L): boolean {
    const { k, pool } = this;
    if (k <= 0) return false;
    const n = this.n;
    if (n === k && !before(src, at, pool, (k - 1) * SLOW_FIELDS)) return false;
    let i = n < k ? n : k - 1;
    while (i > 0 && before(src, at, pool, (i - 1) * SLOW_FIELDS)) {
      pool.copyWithin(i * SLOW_FIELDS, (i - 1) * SLOW_FIELDS, i * SLOW_FIELDS);
      this.labels[i] = this.labels[i - 1];
      i--;
    }
    pool.set(src.subarray(at, at + SLOW_FIELDS), i * SLOW_FIELDS);
    this.labels[i] = label;
    if (n < k) this.n = n + 1;
    if (this.n === k) this.floor = pool[(k - 1) * SLOW_FIELDS + S_DUR];
    return true;
  }

  /** Adds every call of `w` (its calls keep their blocks, or take trace file `trace`). */
  addAll(w: SlowWrites, label: (names: CallNames) => L, trace?: number): void {
    const s = new Float64Array(SLOW_FIELDS);
    for (let i = 0; i < w.names.length; i++) {
      s.set(w.pool.subarray(i * SLOW_FIELDS, (i + 1) * SLOW_FIELDS));
      if (trace !== undefined) s[S_TRACE] = trace;
      // slowest first: the first call that misses the cut ends it
      if (!this.insert(s, 0, label(w.names[i]))) return;
    }
  }

  /** The calls as SlowWrites; `lineBase`/`offsetBase` by block make block-relative lines file-wide. */
  build(names: (label: L) => CallNames, lineBase?: number[], offsetBase?: number[]): SlowWrites {
    const pool = this.pool.slice(0, this.n * SLOW_FIELDS);
    if (lineBase) {
      for (let at = 0; at < pool.length; at += SLOW_FIELDS) {
        const block = pool[at + S_BLOCK];
        if (block < 0) continue;
        pool[at + S_LINE] += lineBase[block];
        if (offsetBase) pool[at + S_OFFSET] += offsetBase[block];
        pool[at + S_BLOCK] = -1;
      }
    }
    return { pool, names: this.labels.slice(0, this.n).map(names) };
  }
}
