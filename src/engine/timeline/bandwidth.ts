import { IoKind, ioKind } from '../model/io-ops';
import type { CounterSeries, TimelineStore } from './store';

/**
 * Read and write bandwidth over time: each call's bytes spread evenly over its duration (a zero-length call puts
 * them in its column), summed per column over every lane, as bytes per second.
 */
export class BandwidthIndex {
  /** I/O calls that moved bytes, by start time. */
  private readonly rows: Uint32Array;
  private readonly maxEnd: Float64Array;
  private readonly isWrite: Uint8Array;

  constructor(private readonly s: TimelineStore) {
    const kinds = s.opNames.map((op) => ioKind(op));
    const rows: number[] = [];
    for (let i = 0; i < s.length; i++) if (s.bytes[i] > 0 && kinds[s.op[i]] !== IoKind.Other) rows.push(i);
    this.rows = Uint32Array.from(rows).sort((a, b) => s.ts[a] - s.ts[b] || a - b);
    this.maxEnd = new Float64Array(this.rows.length);
    this.isWrite = new Uint8Array(s.length);
    let m = -Infinity;
    this.rows.forEach((r, q) => {
      m = Math.max(m, s.ts[r] + s.dur[r]);
      this.maxEnd[q] = m;
      this.isWrite[r] = kinds[s.op[r]] === IoKind.Write ? 1 : 0;
    });
  }

  tile(
    t0: number,
    t1: number,
    columns: number,
    mask?: Uint8Array,
  ): { read: Float64Array; write: Float64Array } {
    const read = new Float64Array(columns);
    const write = new Float64Array(columns);
    const w = (t1 - t0) / columns;
    const { s, rows } = this;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.maxEnd[mid] >= t0) hi = mid;
      else lo = mid + 1;
    }
    for (let q = lo; q < rows.length; q++) {
      const r = rows[q];
      const a = s.ts[r];
      if (a >= t1) break;
      if (mask && !mask[r]) continue;
      const d = s.dur[r];
      const b = a + d;
      const out = this.isWrite[r] ? write : read;
      if (d <= 0) {
        if (a >= t0) out[Math.min(columns - 1, Math.floor((a - t0) / w))] += s.bytes[r];
        continue;
      }
      if (b <= t0) continue;
      const perUs = s.bytes[r] / d;
      const c0 = Math.max(0, Math.floor((a - t0) / w));
      const c1 = Math.min(columns - 1, Math.floor((b - t0) / w));
      for (let c = c0; c <= c1; c++) {
        const x = Math.max(a, t0 + c * w);
        const y = Math.min(b, t0 + (c + 1) * w);
        if (y > x) out[c] += (y - x) * perUs;
      }
    }
    // bytes per column -> bytes per second
    const perSecond = 1e6 / w;
    for (let c = 0; c < columns; c++) {
      read[c] *= perSecond;
      write[c] *= perSecond;
    }
    return { read, write };
  }
}

/** A counter's value in each column: its last sample at or before the column's end (NaN before the first). */
export function counterTile(c: CounterSeries, t0: number, t1: number, columns: number): Float64Array {
  const out = new Float64Array(columns).fill(NaN);
  const w = (t1 - t0) / columns;
  let q = 0;
  for (let col = 0; col < columns; col++) {
    const end = t0 + (col + 1) * w;
    while (q < c.ts.length && c.ts[q] < end) q++;
    if (q > 0) out[col] = c.value[q - 1];
  }
  return out;
}
