// The timeline's fast computations (one sweep per lane with a stack, union by a depth counter, call trees from
// p_idx or containment, filters compiled once) checked against brute-force versions on random input.
import { strict as assert } from 'node:assert';
import {
  aggregateRange,
  callTree,
  densityTile,
  filterMask,
  FilterError,
  histogram,
  nearestRank,
  parseFilter,
  unionLength,
  type GroupBy,
  type TimelineStore,
} from '../../src/engine/timeline';
import { rng } from '../../src/synth/random';
import { nestedEvents, randomEvents, storeOf, type Ev } from './timeline-fixtures';

/** Union of intervals the obvious way: sort by start, merge. */
function bruteUnion(iv: [number, number][]): number {
  const s = iv.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cs = NaN;
  let ce = NaN;
  for (const [a, b] of s) {
    if (Number.isNaN(ce) || a > ce) {
      if (!Number.isNaN(ce)) total += ce - cs;
      cs = a;
      ce = b;
    } else ce = Math.max(ce, b);
  }
  if (!Number.isNaN(ce)) total += ce - cs;
  return total;
}

const laneRows = (s: TimelineStore, k: number) => {
  const rows: number[] = [];
  for (let i = 0; i < s.length; i++) if (s.lane[i] === k) rows.push(i);
  return rows;
};

/** The event a thread is in at instant x: the latest started of those open (ties: the shorter, then the later row). */
function innermost(s: TimelineStore, rows: number[], x: number): number {
  let best = -1;
  for (const r of rows) {
    if (!(s.ts[r] <= x && x < s.ts[r] + s.dur[r])) continue;
    if (
      best < 0 ||
      s.ts[r] > s.ts[best] ||
      (s.ts[r] === s.ts[best] &&
        (s.ts[r] + s.dur[r] < s.ts[best] + s.dur[best] ||
          (s.ts[r] + s.dur[r] === s.ts[best] + s.dur[best] && r > best)))
    )
      best = r;
  }
  return best;
}

function bruteDensity(s: TimelineStore, k: number, t0: number, t1: number, columns: number) {
  const rows = laneRows(s, k);
  const w = (t1 - t0) / columns;
  const busy: number[] = [];
  const dominant: number[] = [];
  for (let c = 0; c < columns; c++) {
    const a = t0 + c * w;
    const b = t0 + (c + 1) * w;
    busy.push(bruteUnion(rows.map((r) => [Math.max(a, s.ts[r]), Math.min(b, s.ts[r] + s.dur[r])])) / w);
    // elementary pieces between every boundary inside the column, each given to its innermost event
    const cuts = [a, b, ...rows.flatMap((r) => [s.ts[r], s.ts[r] + s.dur[r]])]
      .filter((x) => x >= a && x <= b)
      .sort((x, y) => x - y);
    const perCat = new Map<number, number>();
    for (let i = 0; i + 1 < cuts.length; i++) {
      if (cuts[i + 1] <= cuts[i]) continue;
      const owner = innermost(s, rows, cuts[i]);
      if (owner >= 0) perCat.set(s.cat[owner], (perCat.get(s.cat[owner]) ?? 0) + cuts[i + 1] - cuts[i]);
    }
    let best = 0;
    let bestV = 0;
    for (const [cat, v] of [...perCat].sort((x, y) => x[0] - y[0])) if (v > bestV) [best, bestV] = [cat, v];
    dominant.push(best);
  }
  return { busy, dominant };
}

describe('timeline: lanes', () => {
  it('one lane per thread, grouped by host, processes by rank where PR gives it, else pid; main thread first', () => {
    const ev = (pid: number, tid: number): Ev => ({ ts: 1, dur: 1, pid, tid, op: 'x', cat: 'c' });
    const s = storeOf([ev(30, 31), ev(30, 30), ev(20, 20), ev(10, 10)], [[30, 0]]);
    assert.deepEqual(
      s.lanes.map((l) => [l.pid, l.tid, Number.isNaN(l.rank) ? null : l.rank]),
      [
        [30, 30, 0],
        [30, 31, 0],
        [10, 10, null],
        [20, 20, null],
      ],
    );
  });
});

describe('timeline: density tiles equal a brute-force computation', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`random events, seed ${seed}`, () => {
      const r = rng(seed * 31);
      const s = storeOf(randomEvents(seed, 20 + Math.floor(r() * 150)));
      const t0 = Math.round(r() * 1500);
      const t1 = t0 + 1 + Math.round(r() * 2500);
      const columns = 1 + Math.floor(r() * 40);
      const lanes = s.lanes.map((_, k) => k);
      const tile = densityTile(s, t0, t1, columns, lanes);
      for (const [li, k] of lanes.entries()) {
        const want = bruteDensity(s, k, t0, t1, columns);
        const busy = [...tile.busy.subarray(li * columns, (li + 1) * columns)];
        busy.forEach((v, c) =>
          assert.ok(Math.abs(v - want.busy[c]) < 1e-5, `lane ${k} col ${c}: ${v} vs ${want.busy[c]}`),
        );
        assert.deepEqual(
          [...tile.dominant.subarray(li * columns, (li + 1) * columns)],
          want.dominant,
          `lane ${k}`,
        );
      }
      // single events: exactly those overlapping the range and at least a column wide
      const w = (t1 - t0) / columns;
      const want = [];
      for (let i = 0; i < s.length; i++)
        if (s.ts[i] < t1 && s.ts[i] + s.dur[i] > t0 && s.dur[i] >= w) want.push(i);
      assert.deepEqual(
        [...tile.events.row].sort((a, b) => a - b),
        want,
      );
    });
  }

  it('a filter mask leaves events out of the density', () => {
    const s = storeOf(randomEvents(99, 200));
    const mask = filterMask(s, parseFilter('cat == "POSIX"'));
    const only = storeOf(randomEvents(99, 200).filter((e) => e.cat === 'POSIX'));
    const a = densityTile(s, 0, 3000, 30, [0], { mask });
    const lane = only.lanes.findIndex((l) => l.pid === s.lanes[0].pid && l.tid === s.lanes[0].tid);
    const b = densityTile(only, 0, 3000, 30, [lane]);
    [...a.busy].forEach((v, c) => assert.ok(Math.abs(v - b.busy[c]) < 1e-6));
  });
});

describe('timeline: union and range aggregates equal brute force', () => {
  it('an event of no duration at the range start is inside it; one ending at the start is not', () => {
    const e = (ts: number, dur: number): Ev => ({ ts, dur, pid: 1, tid: 1, op: 'x', cat: 'c' });
    const s = storeOf([e(10, 0), e(5, 5), e(10, 2), e(20, 0)]);
    const a = aggregateRange(s, 10, 20, [0], 'op');
    assert.equal(a.total.count, 2);
    assert.equal(a.total.busyUs, 2);
  });

  it('union length', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const r = rng(seed);
      const iv: [number, number][] = Array.from({ length: Math.floor(r() * 60) }, () => {
        const a = Math.round(r() * 100);
        return [a, a + Math.round(r() * 30) - 3];
      });
      assert.equal(
        unionLength(
          iv.map((x) => x[0]),
          iv.map((x) => x[1]),
        ),
        bruteUnion(iv),
      );
    }
  });

  for (const by of ['op', 'file', 'process', 'cat'] as GroupBy[]) {
    it(`by ${by}`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const r = rng(seed * 7 + by.length);
        const s = storeOf(randomEvents(seed + 50, 300));
        const t0 = Math.round(r() * 1000);
        const t1 = t0 + 1 + Math.round(r() * 2000);
        const lanes = s.lanes.map((_, k) => k).filter(() => r() < 0.7);
        const got = aggregateRange(s, t0, t1, lanes, by);
        const want = new Map<string, { count: number; bytes: number; dur: number; iv: [number, number][] }>();
        for (let i = 0; i < s.length; i++) {
          if (!lanes.includes(s.lane[i])) continue;
          const a = s.ts[i];
          const b = a + s.dur[i];
          const inside = s.dur[i] === 0 ? a >= t0 && a < t1 : a < t1 && b > t0;
          if (!inside) continue;
          const key = s.keyOf(i, by);
          const g = want.get(key) ?? { count: 0, bytes: 0, dur: 0, iv: [] };
          want.set(key, g);
          g.count++;
          g.bytes += s.bytes[i];
          g.dur += Math.max(0, Math.min(b, t1) - Math.max(a, t0));
          g.iv.push([Math.max(a, t0), Math.min(b, t1)]);
        }
        assert.equal(got.rows.length, want.size);
        for (const row of got.rows) {
          const w = want.get(row.key)!;
          assert.equal(row.count, w.count);
          assert.equal(row.bytes, w.bytes);
          assert.ok(Math.abs(row.durUs - w.dur) < 1e-6);
          assert.equal(row.busyUs, bruteUnion(w.iv));
          assert.ok(row.busyUs <= row.durUs + 1e-9, 'busy time never exceeds summed time');
        }
        assert.equal(got.total.busyUs, bruteUnion([...want.values()].flatMap((g) => g.iv)));
      }
    });
  }
});

/** Call tree the obvious way: each event's parent by p_idx, else the innermost containing event of its thread. */
function bruteTree(events: Ev[]) {
  const s = storeOf(events);
  const parentOf = (i: number): number => {
    if (!Number.isNaN(s.pIdx[i])) {
      for (let j = 0; j < s.length; j++) if (s.id[j] === s.pIdx[i] && s.pid[j] === s.pid[i]) return j;
      return -1;
    }
    let best = -1;
    for (let j = 0; j < s.length; j++) {
      if (j === i || s.lane[j] !== s.lane[i]) continue;
      const contains = s.ts[j] <= s.ts[i] && s.ts[j] + s.dur[j] >= s.ts[i] + s.dur[i];
      if (!contains) continue;
      // equal spans: the one sorted first is the parent
      const before = s.ts[j] < s.ts[i] || s.dur[j] > s.dur[i] || (s.dur[j] === s.dur[i] && j < i);
      if (!before) continue;
      if (best < 0 || s.ts[j] > s.ts[best] || (s.ts[j] === s.ts[best] && s.dur[j] < s.dur[best])) best = j;
    }
    return best;
  };
  const parent = Array.from({ length: s.length }, (_, i) => parentOf(i));
  const path = (i: number): string => (parent[i] < 0 ? '' : path(parent[i]) + '/') + s.opNames[s.op[i]];
  const nodes = new Map<string, { count: number; total: number; self: number }>();
  for (let i = 0; i < s.length; i++) {
    const kids = parent.reduce((a, p, j) => (p === i ? a + s.dur[j] : a), 0);
    const n = nodes.get(path(i)) ?? { count: 0, total: 0, self: 0 };
    nodes.set(path(i), n);
    n.count++;
    n.total += s.dur[i];
    n.self += Math.max(0, s.dur[i] - kids);
  }
  return { s, nodes };
}

describe('timeline: call trees equal brute force', () => {
  for (const withParents of [false, true]) {
    it(`from ${withParents ? 'p_idx' : 'time containment'}`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const { s, nodes } = bruteTree(nestedEvents(seed, 6, withParents));
        const t = callTree(s);
        assert.equal(t.source, withParents ? 'p_idx' : 'containment');
        const pathOf = (v: number): string => (t.parent[v] <= 0 ? '' : pathOf(t.parent[v]) + '/') + t.name[v];
        assert.equal(t.name.length - 1, nodes.size);
        let roots = 0;
        for (let v = 1; v < t.name.length; v++) {
          const want = nodes.get(pathOf(v))!;
          assert.ok(want, pathOf(v));
          assert.equal(t.count[v], want.count);
          assert.equal(t.totalUs[v], want.total);
          assert.equal(t.selfUs[v], want.self);
          if (t.parent[v] === 0) roots += t.totalUs[v];
        }
        assert.equal(t.totalUs[0], roots);
      }
    });
  }

  it('an ancestor outside the selection spans its selected descendants', () => {
    const events = nestedEvents(3, 4, true);
    const s = storeOf(events);
    const include = Uint8Array.from({ length: s.length }, (_, i) => (s.level[i] >= 3 ? 1 : 0));
    const t = callTree(s, include);
    for (let v = 1; v < t.name.length; v++) {
      let kids = 0;
      for (let w = 1; w < t.name.length; w++) if (t.parent[w] === v) kids += t.totalUs[w];
      if (t.count[v] === 0) assert.equal(t.totalUs[v], kids);
    }
  });
});

describe('timeline: filter expressions', () => {
  const events = randomEvents(5, 400);
  const s = storeOf(events);
  const cases: [string, (e: Ev) => boolean][] = [
    [
      'cat == "POSIX" and dur > 100 and file ~ "f[12]"',
      (e) => e.cat === 'POSIX' && e.dur > 100 && /f[12]/.test(e.file!),
    ],
    ['not (op == "read" or op == "write")', (e) => !(e.op === 'read' || e.op === 'write')],
    [
      "name != 'open' && bytes >= 500 || dur == 0",
      (e) => (e.op !== 'open' && e.bytes! >= 500) || e.dur === 0,
    ],
    ['pid == 101 and tid != 101', (e) => e.pid === 101 && e.tid !== 101],
    ['file !~ "^/f0$"', (e) => e.file !== '/f0'],
    ['', () => true],
  ];
  for (const [src, pred] of cases) {
    it(src || '(empty)', () => {
      const mask = filterMask(s, parseFilter(src));
      // the store keeps rows in the order given
      assert.deepEqual(
        [...mask],
        events.map((e) => (pred(e) ? 1 : 0)),
      );
    });
  }

  it('says what is wrong and where', () => {
    const err = (src: string) => {
      try {
        parseFilter(src);
      } catch (e) {
        assert.ok(e instanceof FilterError);
        return e.message;
      }
      assert.fail(`no error for ${src}`);
    };
    assert.match(err('cat = = "x"'), /expected a quoted text .*column 7/);
    assert.match(err('size > 10'), /unknown field 'size'.*column 1/);
    assert.match(err('dur ~ "x"'), /'dur' is a number/);
    assert.match(err('cat == "POSIX" and'), /expected a field .* the end/);
    assert.match(err('(cat == "x"'), /expected '\)'/);
    assert.match(err('file ~ "("'), /bad regular expression/);
    assert.match(err('cat == "x'), /unterminated string/);
    assert.match(err('cat < "x"'), /'cat' is text/);
  });
});

describe('timeline: histograms', () => {
  it('nearest-rank percentiles equal sorting by hand', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const v = Array.from({ length: 1 + Math.floor(r() * 300) }, () => Math.floor(r() ** 4 * 1e6));
      const sorted = [...v].sort((a, b) => a - b);
      const h = histogram(v);
      for (const [p, got] of [
        [50, h.p50],
        [90, h.p90],
        [95, h.p95],
        [99, h.p99],
      ]) {
        // the smallest value with at least p% of the values at or below it
        const want = sorted.find((x) => sorted.filter((y) => y <= x).length >= (p / 100) * sorted.length);
        assert.equal(got, want, `p${p}`);
      }
      assert.equal(
        h.bins.reduce((a, b) => a + b.count, 0),
        v.length,
      );
      for (const b of h.bins) {
        const inBin = v.filter((x) => (b.hi === 0 ? x === 0 : x >= b.lo && x < b.hi)).length;
        assert.equal(b.count, inBin);
      }
    }
    assert.ok(Number.isNaN(nearestRank([], 50)));
    assert.equal(nearestRank([5], 99), 5);
  });
});
