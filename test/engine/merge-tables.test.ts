// The merges that run on the main thread after the workers finish (a big file's parts, a run's files) are written
// for speed: column copies, packed numeric sorts, merges in place. Each is checked here against the obvious way.
import { strict as assert } from 'node:assert';
import { mergeBins } from '../../src/engine/summary/bins';
import {
  concatWriteTables,
  orderBy,
  reorderWrites,
  type WriteTable,
} from '../../src/engine/summary/write-table';
import {
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
} from '../../src/engine/summary/packed-slowest';
import { RowSlowest, runCall } from '../../src/engine/summary/run-slowest';
import { rng } from '../../src/synth/random';

describe('timeline bins', () => {
  const f = (xs: number[]) => Float64Array.from(xs);
  const same = (actual: Float64Array, expected: number[]) => assert.deepEqual([...actual], expected);

  it('merge sorted [bin, bytes, calls] lists, summing shared bins', () => {
    same(
      mergeBins(f([1, 10, 1, 3, 30, 3]), f([0, 5, 1, 3, 1, 1, 9, 2, 2])),
      [0, 5, 1, 1, 10, 1, 3, 31, 4, 9, 2, 2],
    );
    same(mergeBins(f([]), f([2, 1, 1])), [2, 1, 1]);
    same(mergeBins(f([2, 1, 1]), f([])), [2, 1, 1]);
  });

  it('add into the first list when it already has every bin of the second', () => {
    const a = f([1, 10, 1, 2, 20, 2, 3, 30, 3]);
    const merged = mergeBins(a, f([1, 1, 1, 3, 3, 3]));
    assert.equal(merged, a, 'no new list');
    same(a, [1, 11, 2, 2, 20, 2, 3, 33, 6]);
    const b = f([1, 1, 1, 4, 4, 4]);
    same(mergeBins(a, b), [1, 12, 3, 2, 20, 2, 3, 33, 6, 4, 4, 4]);
    same(a, [1, 11, 2, 2, 20, 2, 3, 33, 6]);
  });

  it('put an unsorted list in order first, summing repeated bins', () => {
    same(mergeBins(f([5, 1, 1]), f([7, 1, 1, 2, 1, 1, 7, 2, 2])), [2, 1, 1, 5, 1, 1, 7, 3, 3]);
    same(mergeBins(f([]), f([3, 1, 1, 1, 2, 2, 3, 4, 4])), [1, 2, 2, 3, 5, 5]);
  });
});

describe('write tables', () => {
  const NUM = ['ts', 'dur', 'bytes', 'line', 'offset', 'pid', 'tid'] as const;

  function table(rows: number, seed: number, names: string[], withBlocks = false): WriteTable {
    const rand = rng(seed);
    const col = (f: () => number) => Float64Array.from({ length: rows }, f);
    return {
      length: rows,
      total: rows * 2,
      stride: 2,
      files: names,
      file: Uint32Array.from({ length: rows }, () => Math.floor(rand() * names.length)),
      ts: col(() => Math.floor(rand() * 1e6)),
      dur: col(() => Math.floor(rand() * 1e3)),
      bytes: col(() => Math.floor(rand() * 4096)),
      line: col(() => 1 + Math.floor(rand() * 500)),
      offset: col(() => Math.floor(rand() * 1e5)),
      pid: col(() => 7),
      tid: col(() => 8),
      ...(withBlocks ? { block: Int32Array.from({ length: rows }, () => Math.floor(rand() * 3)) } : {}),
    };
  }

  /** Row by row, as plain objects: what concatWriteTables must amount to. */
  function slowConcat(
    parts: { table: WriteTable; trace?: number }[],
    cap: number,
    lineBase?: number[],
    offsetBase?: number[],
  ) {
    const all = parts.flatMap(({ table, trace }) =>
      Array.from({ length: table.length }, (_, i) => {
        const row: Record<string, number | string> = { file: table.files[table.file[i]], trace: trace ?? 0 };
        for (const k of NUM) row[k] = table[k][i];
        if (table.block && lineBase) (row.line as number) += lineBase[table.block[i]];
        if (table.block && offsetBase) (row.offset as number) += offsetBase[table.block[i]];
        return row;
      }),
    );
    const step = all.length > cap ? Math.ceil(all.length / cap) : 1;
    return all.filter((_, i) => i % step === 0);
  }

  function rows(t: WriteTable) {
    return Array.from({ length: t.length }, (_, i) => {
      const row: Record<string, number | string> = { file: t.files[t.file[i]], trace: t.trace?.[i] ?? 0 };
      for (const k of NUM) row[k] = t[k][i];
      return row;
    });
  }

  it('concatenate parts, thinning every step-th row of the whole and naming files in order of first use', () => {
    const parts = [
      { table: table(101, 1, ['a', 'b', 'c']), trace: 0 },
      { table: table(57, 2, ['c', 'd']), trace: 3 },
      { table: table(0, 3, ['e']), trace: 4 },
      { table: table(64, 4, ['b', 'e']), trace: 5 },
    ];
    for (const cap of [1000, 222, 100, 37, 1]) {
      const t = concatWriteTables(parts, cap);
      assert.deepEqual(rows(t), slowConcat(parts, cap), `cap ${cap}`);
      assert.ok(t.length <= cap);
      const firstUse = [...new Set(Array.from(t.file))];
      assert.deepEqual(
        firstUse,
        [...firstUse].sort((x, y) => x - y),
        'ids in order of first use',
      );
      assert.equal(t.files.length, firstUse.length, 'no name without a kept row');
      assert.equal(t.total, 2 * (101 + 57 + 64));
    }
  });

  it('make block-relative lines and offsets file-wide', () => {
    const parts = [{ table: table(90, 5, ['x', 'y'], true) }, { table: table(40, 6, ['y'], true) }];
    const lineBase = [0, 1000, 5000];
    const offsetBase = [0, 1e6, 9e6];
    assert.deepEqual(
      rows(concatWriteTables(parts, 50, lineBase, offsetBase)),
      slowConcat(parts, 50, lineBase, offsetBase),
    );
  });

  it('order rows by a key, ties in row order, packed or through a comparator', () => {
    assert.equal(orderBy(Float64Array.from([1, 2, 2, 9])), undefined, 'in order already');
    assert.deepEqual([...orderBy(Float64Array.from([5, 1, 5, 0, 1]))!], [3, 1, 4, 0, 2]);
    // keys too big to pack with their row, and keys that are not integers: the comparator's answer
    const big = Float64Array.from([2 ** 52, 3, 2 ** 52, 1]);
    assert.deepEqual([...orderBy(big)!], [3, 1, 0, 2]);
    assert.deepEqual([...orderBy(Float64Array.from([0.5, -1, 0.5, 0.25]))!], [1, 3, 0, 2]);
    const rand = rng(9);
    const keys = Float64Array.from({ length: 5000 }, () => Math.floor(rand() * 300));
    const expected = Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b] || a - b);
    assert.deepEqual([...orderBy(keys)!], expected);
  });

  it('reorder rows and rename files in order of first use', () => {
    const t = { ...table(30, 7, ['p', 'q', 'r']), trace: Uint32Array.from({ length: 30 }, (_, i) => i % 4) };
    const order = Array.from({ length: 30 }, (_, i) => 29 - i);
    const r = reorderWrites(t, order);
    assert.deepEqual(
      rows(r),
      order.map((i) => rows(t)[i]),
    );
    assert.deepEqual([...new Set(Array.from(r.file))], [...Array(r.files.length).keys()]);
  });
});

describe("a run's slowest calls per row, packed", () => {
  type Call = {
    dur: number;
    ts: number;
    bytes: number;
    pid: number;
    tid: number;
    line: number;
    offset: number;
  };
  const order = (a: Call & { trace: number }, b: Call & { trace: number }) =>
    b.dur - a.dur || a.trace - b.trace || a.line - b.line;

  function calls(rand: () => number, n: number): Call[] {
    return Array.from({ length: n }, (_, i) => ({
      dur: Math.floor(rand() * 20), // few distinct durations: ties everywhere
      ts: Math.floor(rand() * 1e9),
      bytes: Math.floor(rand() * 4096),
      pid: 1 + Math.floor(rand() * 3),
      tid: 7,
      line: 1 + i * 3 + Math.floor(rand() * 3),
      offset: i * 100,
    }));
  }

  /** A file's pack of one row: its k slowest, slowest first, as a worker sends it. */
  function pack(list: Call[], k: number): PackedSlowest {
    const top = [...list].sort((a, b) => b.dur - a.dur || a.line - b.line).slice(0, k);
    const pool = new Float64Array(k * SLOW_FIELDS);
    top.forEach((c, i) => {
      const at = i * SLOW_FIELDS;
      pool[at + S_DUR] = c.dur;
      pool[at + S_TS] = c.ts;
      pool[at + S_BYTES] = c.bytes;
      pool[at + S_PID] = c.pid;
      pool[at + S_TID] = c.tid;
      pool[at + S_LINE] = c.line;
      pool[at + S_OFFSET] = c.offset;
      pool[at + S_BLOCK] = -1;
    });
    return { k, pool, counts: Int32Array.from([top.length]) };
  }

  it('keep the k slowest of all files, ties in (trace, line) order, whichever way the calls come', () => {
    const rand = rng(5);
    for (let round = 0; round < 40; round++) {
      const k = 1 + Math.floor(rand() * 10);
      const slow = new RowSlowest(k);
      const a = slow.newRow();
      const b = slow.newRow();
      const all: (Call & { trace: number })[] = [];
      for (let trace = 0; trace < 6; trace++) {
        const list = calls(rand, Math.floor(rand() * 25));
        all.push(...list.map((c) => ({ ...c, trace })));
        // files arrive in any order, packed or as objects, into either of two rows that later join
        const row = trace % 2 ? a : b;
        if (rand() < 0.5) slow.addPacked(row, pack(list, k), 0, trace);
        else slow.addCalls(row, list, trace);
      }
      const joined = slow.newRow();
      slow.addRow(joined, b);
      slow.addRow(joined, a);
      const p = slow.pack([joined]);
      const got = Array.from({ length: p.counts[0] }, (_, i) =>
        runCall(p, 0, i, { file: 'f', cat: 'POSIX', op: 'write' }),
      );
      const want = all.sort(order).slice(0, k);
      assert.deepEqual(
        got.map((c) => [c.dur, c.trace, c.line, c.ts, c.bytes, c.pid, c.offset]),
        want.map((c) => [c.dur, c.trace, c.line, c.ts, c.bytes, c.pid, c.offset]),
        `round ${round}`,
      );
    }
  });
});
