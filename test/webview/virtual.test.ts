import { strict as assert } from 'node:assert';
import { toArrowIpc } from '../../src/runs/arrow-ipc';
import { PageStore, type PageData } from '../../webview/events/pages';
import { progressInfo } from '../../webview/events/progress';
import { basename, COLUMNS, decodeRows, fmtAbsTime, fmtInt, rowJson } from '../../webview/events/rows';
import { fmtCount } from '../../src/engine/format';
import { Lru, MAX_SCROLL_HEIGHT, navigate, pageKeys, ScrollGeometry } from '../../webview/events/virtual';

describe('event list: scroll geometry', () => {
  const rowH = 22;

  it('maps scroll position to rows one to one while the list is small', () => {
    const g = new ScrollGeometry(1000, rowH, 220);
    assert.equal(g.physicalHeight, 22_000);
    assert.equal(g.ratio, 1);
    assert.equal(g.toVirtual(440), 440);
    assert.equal(g.rowTop(25, 440, 440), 25 * rowH);
    assert.deepEqual(g.visible(440), { start: 20, end: 30 });
    assert.deepEqual(g.visible(440, 5), { start: 15, end: 35 });
    assert.equal(g.rowsPerPage, 10);
  });

  it('counts a partly visible row and clamps at both ends', () => {
    const g = new ScrollGeometry(100, rowH, 100);
    assert.deepEqual(g.visible(11), { start: 0, end: 6 });
    assert.deepEqual(g.visible(-50, 3), { start: 0, end: 8 });
    assert.deepEqual(g.visible(1e9, 3), { start: 92, end: 100 });
    assert.deepEqual(new ScrollGeometry(0, rowH, 100).visible(0, 3), { start: 0, end: 0 });
    assert.deepEqual(new ScrollGeometry(3, rowH, 500).visible(0, 3), { start: 0, end: 3 });
  });

  it('scales a million rows under the browser limit and still reaches the last row', () => {
    const total = 1_000_000;
    const body = 600;
    const g = new ScrollGeometry(total, rowH, body);
    assert.equal(g.virtualHeight, 22_000_000);
    assert.equal(g.physicalHeight, MAX_SCROLL_HEIGHT);
    assert.ok(g.ratio > 1);
    assert.equal(g.toVirtual(0), 0);
    assert.equal(g.toVirtual(g.maxPhysicalTop), g.maxVirtualTop);
    const end = g.visible(g.toVirtual(g.maxPhysicalTop));
    assert.equal(end.end, total);
    assert.ok(end.start >= total - Math.ceil(body / rowH) - 1);
    // Round trip, and rows sit inside the viewport in physical coordinates.
    const v = 12_345_678;
    const p = g.toPhysical(v);
    assert.ok(Math.abs(g.toVirtual(p) - v) < 1e-6);
    const first = g.visible(v).start;
    const y = g.rowTop(first, p, v);
    assert.ok(y <= p && y > p - rowH);
  });

  it('reveals a row: nearest scrolls only as needed, center puts it mid-screen', () => {
    const g = new ScrollGeometry(1000, rowH, 220);
    assert.equal(g.reveal(15, 220, 'nearest'), 220); // already visible
    assert.equal(g.reveal(5, 220, 'nearest'), 110); // above: to the top edge
    assert.equal(g.reveal(30, 220, 'nearest'), 30 * rowH + rowH - 220); // below: to the bottom edge
    assert.equal(g.reveal(500, 0, 'center'), 500 * rowH + rowH / 2 - 110);
    assert.equal(g.reveal(0, 5000, 'center'), 0);
    assert.equal(g.reveal(999, 0, 'center'), g.maxVirtualTop);
    assert.equal(g.reveal(5000, 0, 'nearest'), g.maxVirtualTop); // clamped to the last row
  });
});

describe('event list: pages and keys', () => {
  it('lists the pages a range spans', () => {
    assert.deepEqual(pageKeys({ start: 0, end: 0 }, 500), []);
    assert.deepEqual(pageKeys({ start: 0, end: 500 }, 500), [0]);
    assert.deepEqual(pageKeys({ start: 490, end: 510 }, 500), [0, 1]);
    assert.deepEqual(pageKeys({ start: 999_990, end: 1_000_000 }, 500), [1999]);
  });

  it('moves the selection like VS Code lists', () => {
    assert.equal(navigate('ArrowDown', 4, 10, 5), 5);
    assert.equal(navigate('ArrowDown', 9, 10, 5), 9);
    assert.equal(navigate('ArrowUp', 0, 10, 5), 0);
    assert.equal(navigate('PageDown', 0, 100, 10), 9);
    assert.equal(navigate('PageUp', 5, 100, 10), 0);
    assert.equal(navigate('Home', 50, 100, 10), 0);
    assert.equal(navigate('End', 50, 100, 10), 99);
    assert.equal(navigate('ArrowDown', -1, 100, 10, 40), 40);
    assert.equal(navigate('ArrowDown', -1, 0, 10), -1);
  });

  it('keeps the most recently used entries', () => {
    const lru = new Lru<number, string>(2);
    lru.set(1, 'a');
    lru.set(2, 'b');
    lru.get(1);
    lru.set(3, 'c');
    assert.deepEqual(lru.keys().sort(), [1, 3]);
    assert.equal(lru.peek(2), undefined);
  });
});

describe('event list: page store', () => {
  type Row = { i: number };
  function store(total: number, maxInFlight = 2) {
    const calls: { start: number; resolve: () => void; reject: (e: Error) => void }[] = [];
    const pages: number[] = [];
    const errors: string[] = [];
    const s = new PageStore<Row, string>({
      pageSize: 10,
      maxPages: 3,
      maxInFlight,
      fetch: (start, count) =>
        new Promise<PageData<Row, string>>((resolve, reject) => {
          const rows = Array.from({ length: Math.max(0, Math.min(count, total - start)) }, (_, k) => ({
            i: start + k,
          }));
          calls.push({ start, resolve: () => resolve({ total, rows, meta: '' }), reject });
        }),
      onPage: (p) => pages.push(p),
      onError: (e) => errors.push(e.message),
    });
    return { s, calls, pages, errors };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('fetches wanted pages, at most maxInFlight at a time, and serves their rows', async () => {
    const { s, calls, pages } = store(100);
    s.want([0, 1, 2]);
    assert.deepEqual(
      calls.map((c) => c.start),
      [0, 10],
    );
    calls[0].resolve();
    await tick();
    assert.deepEqual(pages, [0]);
    assert.equal(s.total, 100);
    assert.deepEqual(s.row(7), { i: 7 });
    assert.equal(s.row(15), undefined);
    assert.deepEqual(
      calls.map((c) => c.start),
      [0, 10, 20],
    );
    s.want([1, 2]); // no duplicate requests for pages in flight
    assert.equal(calls.length, 3);
  });

  it('drops queued pages that scrolled away before their turn', async () => {
    const { s, calls } = store(1000, 1);
    s.want([0, 1, 2]);
    s.want([50]);
    calls[0].resolve();
    await tick();
    assert.deepEqual(
      calls.map((c) => c.start),
      [0, 500],
    );
  });

  it('ignores replies from before a reset (a new sort or filter)', async () => {
    const { s, calls, pages } = store(100);
    s.want([0]);
    const gen = s.reset();
    assert.equal(s.generation, gen);
    calls[0].resolve();
    await tick();
    assert.deepEqual(pages, []);
    assert.equal(s.row(0), undefined);
    assert.equal(s.total, undefined);
    s.want([0]);
    calls[1].resolve();
    await tick();
    assert.deepEqual(pages, [0]);
  });

  it('does not ask again for a failed page until retry', async () => {
    const { s, calls, errors } = store(100);
    s.want([0]);
    calls[0].reject(new Error('boom'));
    await tick();
    assert.deepEqual(errors, ['boom']);
    s.want([0]);
    assert.equal(calls.length, 1);
    s.retry();
    assert.equal(calls.length, 2);
  });

  it('evicts the least recently used pages', async () => {
    const { s, calls } = store(1000, 10);
    s.want([0, 1, 2, 3]);
    calls.forEach((c) => c.resolve());
    await tick();
    assert.equal(s.hasPage(0), false);
    assert.equal(s.hasPage(3), true);
  });
});

describe('event list: rows', () => {
  it('decodes the EventsPage Arrow columns', () => {
    const bytes = toArrowIpc({
      index: Float64Array.from([10, 11]),
      relUs: Float64Array.from([5, 6]),
      ts: Float64Array.from([1.7e15, 1.7e15 + 1]),
      dur: Float64Array.from([100, 2_500_000]),
      op: ['write', 'pread64'],
      cat: ['POSIX', 'POSIX'],
      bytes: Float64Array.from([4096, 0]),
      offset: Float64Array.from([NaN, 8192]),
      pid: Float64Array.from([42, 43]),
      tid: Float64Array.from([42, 44]),
      host: ['node1', 'node2'],
      trace: ['/runs/a/app-42.pfw.gz', '/runs/a/app-43.pfw'],
      traceIndex: Int32Array.from([0, 1]),
      line: Float64Array.from([7, 9]),
      lineOffset: Float64Array.from([300, 512]),
    });
    const rows = decodeRows(bytes);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1], {
      index: 11,
      relUs: 6,
      ts: 1.7e15 + 1,
      dur: 2_500_000,
      op: 'pread64',
      cat: 'POSIX',
      bytes: 0,
      offset: 8192,
      pid: 43,
      tid: 44,
      host: 'node2',
      trace: '/runs/a/app-43.pfw',
      traceIndex: 1,
      line: 9,
      lineOffset: 512,
    });
    assert.ok(Number.isNaN(rows[0].offset));
    const text = (id: string, i: number) => COLUMNS.find((c) => c.id === id)!.text(rows[i]);
    assert.equal(text('row', 0), '11');
    assert.equal(text('offset', 0), '—');
    assert.equal(text('offset', 1), '8,192');
    assert.equal(text('trace', 0), 'app-42.pfw.gz');
    assert.equal(text('dur', 1), '2.500 s');
    const json = JSON.parse(rowJson(rows[0], '/data/x.h5'));
    assert.equal(json.offset, null);
    assert.equal(json.file, '/data/x.h5');
    assert.equal(json.row, 11);
  });

  it('formats absolute times with microseconds, and small stamps as raw µs', () => {
    const ts = 1_714_567_896_123_456;
    const d = new Date(Math.floor(ts / 1000));
    const s = fmtAbsTime(ts);
    assert.match(s, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.123456$/);
    assert.ok(s.startsWith(`${d.getFullYear()}-`));
    assert.equal(fmtAbsTime(1_714_567_896_000_007).slice(-7), '.000007');
    assert.equal(fmtAbsTime(123456), '123,456 µs');
    assert.equal(fmtAbsTime(NaN), '—');
    assert.equal(basename('/a/b/c.pfw'), 'c.pfw');
    assert.equal(basename('c.pfw'), 'c.pfw');
  });

  it('groups digits exactly like fmtCount', () => {
    for (const n of [0, 7, 999, 1000, -1000, 12345, 999_999, 1_000_000, 123_456_789_012, 2.5, 1e15 + 3]) {
      assert.equal(fmtInt(n), fmtCount(n), String(n));
    }
    assert.equal(fmtInt(-0.4), '0');
    assert.equal(fmtInt(NaN), '—');
  });

  it('describes parse progress', () => {
    const p = progressInfo({
      filesDone: 1,
      filesTotal: 4,
      bytesDone: 50e6,
      bytesTotal: 200e6,
      events: 1234567,
      elapsedMs: 2000,
    });
    assert.equal(p.fraction, 0.25);
    assert.equal(p.text, '25% · 50 MB of 200 MB · 25.0 MB/s · 1,234,567 events · 1 of 4 trace files');
    assert.equal(
      progressInfo({ filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, events: 0, elapsedMs: 0 })
        .fraction,
      0,
    );
  });
});
