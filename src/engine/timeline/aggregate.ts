import { unionLength } from './density';
import type { GroupBy, TimelineStore } from './store';

/** One group of a range selection. */
export interface AggregateRow {
  key: string;
  count: number;
  /** Bytes moved by the group's I/O calls (whole calls, FORMAT.md's rule). */
  bytes: number;
  /** Sum of the events' durations inside the range (an event sticking out counts only its part inside). */
  durUs: number;
  /** Time inside the range when at least one of the group's events was running: overlaps counted once. */
  busyUs: number;
}

export interface RangeAggregate {
  t0: number;
  t1: number;
  by: GroupBy;
  rows: AggregateRow[];
  total: AggregateRow;
}

/**
 * Aggregates the events of the chosen lanes that overlap [t0, t1), grouped by op, accessed file, process or
 * category. Busy time is the length of the union of the group's events clipped to the range, so nested calls and
 * the same op running in several processes at once are not counted twice.
 */
export function aggregateRange(
  s: TimelineStore,
  t0: number,
  t1: number,
  lanes: number[],
  by: GroupBy,
  mask?: Uint8Array,
): RangeAggregate {
  const idOf = groupIds(s, by);
  // one pass into flat typed arrays (no object or array push per event), then per group a slice of them
  let n = 0;
  for (const k of lanes) n += s.laneStart[k + 1] - s.laneStart[k];
  const rowOf = new Uint32Array(n);
  const gid = new Uint32Array(n);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  let m = 0;
  let groups = 0;
  const slot = new Map<number, number>();
  const keyRow: number[] = [];
  for (const k of lanes) {
    const end = s.laneStart[k + 1];
    for (let q = s.firstOpenAt(k, t0); q < end; q++) {
      const r = s.order[q];
      const a = s.ts[r];
      if (a >= t1) break;
      const b = a + s.dur[r];
      // zero-length events at the range's start still happened inside it
      if (b <= t0 && !(s.dur[r] === 0 && a >= t0)) continue;
      if (mask && !mask[r]) continue;
      const id = idOf(r);
      let g = slot.get(id);
      if (g === undefined) {
        slot.set(id, (g = groups++));
        keyRow.push(r);
      }
      rowOf[m] = r;
      gid[m] = g;
      starts[m] = Math.max(a, t0);
      ends[m] = Math.min(b, t1);
      m++;
    }
  }
  // counting sort by group
  const first = new Uint32Array(groups + 1);
  for (let i = 0; i < m; i++) first[gid[i] + 1]++;
  for (let g = 0; g < groups; g++) first[g + 1] += first[g];
  const fill = first.slice(0, groups);
  const gs = new Float64Array(m);
  const ge = new Float64Array(m);
  const rows: AggregateRow[] = keyRow.map((r) => ({
    key: s.keyOf(r, by),
    count: 0,
    bytes: 0,
    durUs: 0,
    busyUs: 0,
  }));
  const total: AggregateRow = { key: 'all', count: m, bytes: 0, durUs: 0, busyUs: 0 };
  for (let i = 0; i < m; i++) {
    const g = gid[i];
    const at = fill[g]++;
    gs[at] = starts[i];
    ge[at] = ends[i];
    const row = rows[g];
    const bytes = s.bytes[rowOf[i]];
    const d = Math.max(0, ends[i] - starts[i]);
    row.count++;
    row.bytes += bytes;
    row.durUs += d;
    total.bytes += bytes;
    total.durUs += d;
  }
  for (let g = 0; g < groups; g++) {
    rows[g].busyUs = unionLength(gs.subarray(first[g], first[g + 1]), ge.subarray(first[g], first[g + 1]));
  }
  total.busyUs = unionLength(starts.subarray(0, m), ends.subarray(0, m));
  rows.sort((x, y) => y.busyUs - x.busyUs || y.count - x.count || (x.key < y.key ? -1 : 1));
  return { t0, t1, by, rows, total };
}

/** A number per group (dictionary id, or process), so that rows are grouped without making a string each. */
function groupIds(s: TimelineStore, by: GroupBy): (row: number) => number {
  switch (by) {
    case 'op':
      return (r) => s.op[r];
    case 'cat':
      return (r) => s.cat[r];
    case 'file':
      return (r) => s.file[r];
    case 'process': {
      const proc = new Map<string, number>();
      const ofLane = s.lanes.map((l) => {
        const key = `${l.host}\u0000${l.pid}`;
        let v = proc.get(key);
        if (v === undefined) proc.set(key, (v = proc.size));
        return v;
      });
      return (r) => ofLane[s.lane[r]];
    }
    default: {
      const never: never = by;
      throw new Error(`unknown grouping ${String(never)}`);
    }
  }
}
