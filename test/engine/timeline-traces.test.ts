// The timeline's columns on real traces agree with the summary: every complete event is on a lane, and per
// category the counts, bytes and summed durations equal the summary's (file, cat, op) rows.
import { strict as assert } from 'node:assert';
import { summarizeRun, WorkerPool } from '../../src/engine';
import { aggregateRange, callTree, loadTimeline } from '../../src/engine/timeline';
import { haveSharedTraces, traceFolder } from './shared-traces';

describe('timeline on the shared traces', function () {
  before(function () {
    if (!haveSharedTraces()) this.skip();
  });
  const pool = new WorkerPool({ size: 0 });
  after(() => pool.dispose());

  for (const name of ['dlio-pytorch-2023', 'resnet50-v1.0.15-2025', 'posix-2023']) {
    it(`${name}: events, and POSIX/STDIO figures per category, equal the summary`, async () => {
      const { summary } = await summarizeRun([traceFolder(name)], { pool });
      const s = await loadTimeline(summary, pool);
      assert.equal(s.length, summary.totals.events);
      assert.equal(
        s.lanes.reduce((a, l) => a + l.events, 0),
        s.length,
      );
      const all = s.lanes.map((_, k) => k);
      // the whole run, widened by one µs so that events ending at tsMax are inside
      const agg = aggregateRange(s, s.tsMin, s.tsMax + 1, all, 'cat');
      assert.equal(agg.total.count, s.length);
      for (const cat of ['POSIX', 'STDIO']) {
        const rows = summary.ops.filter((o) => o.cat === cat);
        const got = agg.rows.find((r) => r.key === cat);
        const count = rows.reduce((a, o) => a + o.count, 0);
        if (count === 0) {
          assert.equal(got, undefined);
          continue;
        }
        assert.equal(got!.count, count, cat);
        assert.equal(
          got!.bytes,
          rows.reduce((a, o) => a + o.bytes, 0),
          cat,
        );
        assert.equal(
          got!.durUs,
          rows.reduce((a, o) => a + o.durUs, 0),
          cat,
        );
        assert.ok(got!.busyUs <= got!.durUs);
      }
      const tree = callTree(s);
      assert.equal(
        tree.source === 'p_idx' || tree.source === 'mixed',
        name === 'resnet50-v1.0.15-2025',
        tree.source,
      );
      // every event is counted under exactly one node
      assert.equal(
        tree.count.reduce((a, b) => a + b, 0),
        s.length,
      );
    });
  }
});
