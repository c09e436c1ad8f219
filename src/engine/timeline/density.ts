import type { TimelineStore } from './store';

/**
 * The level of detail a zoomed-out timeline draws: per lane and pixel column, the fraction of the column's time the
 * thread was busy (the union of its events, nested or overlapping ones counted once) and the category it was
 * busy with most. Each instant is attributed to the innermost event open then (the latest started; a call inside
 * an application span counts as the call's category), so the categories' shares add up to the busy fraction.
 */
export interface DensityTile {
  t0: number;
  t1: number;
  columns: number;
  lanes: number[];
  /** lanes.length x columns, row-major: busy fraction in [0, 1]. */
  busy: Float32Array;
  /** lanes.length x columns: category id (store.catNames) busy most in the column; 0 when idle. */
  dominant: Uint16Array;
  /** Single events wider than `minDur`, drawn as themselves on top of the density. */
  events: VisibleEvents;
}

export interface VisibleEvents {
  length: number;
  /** Row of each event in the store (to ask for its fields). */
  row: Uint32Array;
  /** Index into the tile's `lanes`. */
  lane: Uint16Array;
  /** Nesting depth within its lane at its start (0 = outermost). */
  depth: Uint8Array;
  /** Set when events were left out past the cap (the densest lanes keep their density only). */
  truncated: boolean;
}

export interface DensityOptions {
  /** Rows with mask[row] == 0 are left out (a filter); all rows when absent. */
  mask?: Uint8Array;
  /** Events at least this long are listed as single events; default: one column's time. */
  minDur?: number;
  /** At most this many single events. */
  maxEvents?: number;
}

/** Computes a density tile for time [t0, t1) in `columns` columns over the given lanes. */
export function densityTile(
  s: TimelineStore,
  t0: number,
  t1: number,
  columns: number,
  lanes: number[],
  opts: DensityOptions = {},
): DensityTile {
  const w = (t1 - t0) / columns;
  const minDur = opts.minDur ?? w;
  const maxEvents = opts.maxEvents ?? 50_000;
  const busy = new Float32Array(lanes.length * columns);
  const dominant = new Uint16Array(lanes.length * columns);
  const ncat = s.catNames.length;
  const catBusy = new Float64Array(columns * ncat);
  const evRow: number[] = [];
  const evLane: number[] = [];
  const evDepth: number[] = [];
  let truncated = false;
  const stack: number[] = [];
  const mask = opts.mask;
  const { ts, dur, cat, order } = s;
  const touched = new Uint8Array(columns);
  for (let li = 0; li < lanes.length; li++) {
    const k = lanes[li];
    const base = li * columns;
    // time [a, b) belongs to `row`: spread it over the columns it covers
    const attribute = (row: number, a: number, b: number) => {
      if (a < t0) a = t0;
      if (b > t1) b = t1;
      if (b <= a) return;
      let c = Math.floor((a - t0) / w);
      if (c >= columns) c = columns - 1;
      const c1 = Math.min(columns - 1, Math.floor((b - t0) / w));
      const ct = cat[row];
      for (; c <= c1; c++) {
        const lo = Math.max(a, t0 + c * w);
        const hi = Math.min(b, t0 + (c + 1) * w);
        if (hi > lo) {
          busy[base + c] += hi - lo;
          touched[c] = 1;
          catBusy[c * ncat + ct] += hi - lo;
        }
      }
    };
    stack.length = 0;
    let cur = t0;
    const end = s.laneStart[k + 1];
    for (let q = s.firstOpenAt(k, t0); q < end; q++) {
      const r = order[q];
      if (mask && !mask[r]) continue;
      const start = ts[r];
      if (start >= t1) break;
      const stop = start + dur[r];
      // close what ended before this event starts, giving each its last stretch
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const topEnd = ts[top] + dur[top];
        if (topEnd > start) break;
        if (topEnd > cur) {
          attribute(top, cur, topEnd);
          cur = topEnd;
        }
        stack.pop();
      }
      if (stack.length > 0 && start > cur) attribute(stack[stack.length - 1], cur, start);
      if (start > cur) cur = start;
      if (stop > t0 && dur[r] >= minDur) {
        if (evRow.length < maxEvents) {
          evRow.push(r);
          evLane.push(li);
          evDepth.push(Math.min(255, stack.length));
        } else truncated = true;
      }
      stack.push(r);
    }
    while (stack.length > 0) {
      const top = stack.pop()!;
      const topEnd = ts[top] + dur[top];
      if (topEnd > cur) {
        attribute(top, cur, topEnd);
        cur = topEnd;
      }
    }
    for (let c = 0; c < columns; c++) {
      if (!touched[c]) continue;
      touched[c] = 0;
      busy[base + c] /= w;
      let best = 0;
      let bestV = 0;
      for (let g = c * ncat, stop = g + ncat; g < stop; g++) {
        const v = catBusy[g];
        catBusy[g] = 0;
        if (v > bestV) {
          bestV = v;
          best = g - c * ncat;
        }
      }
      dominant[base + c] = best;
    }
  }
  return {
    t0,
    t1,
    columns,
    lanes,
    busy,
    dominant,
    events: {
      length: evRow.length,
      row: Uint32Array.from(evRow),
      lane: Uint16Array.from(evLane),
      depth: Uint8Array.from(evDepth),
      truncated,
    },
  };
}

/**
 * Length of the union of intervals [starts[i], ends[i]): time covered at least once. Starts and ends are sorted
 * apart (natively, as numbers) and swept with a depth counter: covered wherever the depth is above zero.
 */
export function unionLength(starts: ArrayLike<number>, ends: ArrayLike<number>): number {
  const n = starts.length;
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (ends[i] > starts[i]) {
      a[m] = starts[i];
      b[m] = ends[i];
      m++;
    }
  }
  const sa = a.subarray(0, m).sort();
  const sb = b.subarray(0, m).sort();
  let total = 0;
  let depth = 0;
  let from = 0;
  let i = 0;
  let j = 0;
  while (j < m) {
    // at equal times an end closes before a start opens: touching intervals join without a gap either way
    if (i < m && sa[i] < sb[j]) {
      if (depth++ === 0) from = sa[i];
      i++;
    } else {
      if (--depth === 0) total += sb[j] - from;
      j++;
    }
  }
  return total;
}
