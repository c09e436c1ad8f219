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
  const groups = new Map<number, { row: AggregateRow; starts: number[]; ends: number[] }>();
  const idOf = groupIds(s, by);
  const all = { starts: [] as number[], ends: [] as number[] };
  const total: AggregateRow = { key: 'all', count: 0, bytes: 0, durUs: 0, busyUs: 0 };
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
      let g = groups.get(id);
      if (!g) {
        const key = s.keyOf(r, by);
        groups.set(id, (g = { row: { key, count: 0, bytes: 0, durUs: 0, busyUs: 0 }, starts: [], ends: [] }));
      }
      const ca = Math.max(a, t0);
      const cb = Math.min(b, t1);
      g.row.count++;
      g.row.bytes += s.bytes[r];
      g.row.durUs += Math.max(0, cb - ca);
      g.starts.push(ca);
      g.ends.push(cb);
      all.starts.push(ca);
      all.ends.push(cb);
      total.count++;
      total.bytes += s.bytes[r];
      total.durUs += Math.max(0, cb - ca);
    }
  }
  const rows = [...groups.values()].map((g) => {
    g.row.busyUs = unionLength(g.starts, g.ends);
    return g.row;
  });
  total.busyUs = unionLength(all.starts, all.ends);
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
