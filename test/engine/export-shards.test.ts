import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTraceFiles, summarizeTraceFiles, summaryJson, type RunSummary } from '../../src/engine';
import {
  mergeParts,
  shardSplit,
  summarizeShard,
  loadSummaryFile,
} from '../../src/engine/export/summary-parts';
import { generateBenchTrace } from '../../src/synth/bench-trace';
import { unreachableTraces } from '../../src/engine/export/reachable';
import { haveSharedTraces, traceFiles } from './shared-traces';

/** What "the run's summary" means for merging: the contract's JSON and the slowest calls, run-wide and per row. */
function figures(run: RunSummary) {
  return {
    json: summaryJson(run),
    slowest: run.slowest,
    rowSlowest: [[...run.rowSlowest.pool], [...run.rowSlowest.counts]],
    traces: run.ops.map((o) => o.traces),
    spans: run.spans,
  };
}

describe('sharded summaries', () => {
  let tmp: string;
  let run: string;
  let files: string[];
  let whole: RunSummary;
  before(async function () {
    tmp = mkdtempSync(join(tmpdir(), 'dftrace-shards-'));
    run = join(tmp, 'run');
    mkdirSync(run);
    // files of very different sizes, eras and troubles: generated DLIO ranks, and real traces when present
    const sizes = [30_000, 2_000, 9_000, 500, 14_000, 4_000, 1_000, 22_000, 700];
    sizes.forEach((events, i) =>
      generateBenchTrace(join(run, `trace-${i}-of-${sizes.length}.pfw.gz`), {
        events,
        seed: 40 + i,
        era: i % 3 === 0 ? '2023' : '2025',
        gzip: i % 2 === 0,
      }),
    );
    if (haveSharedTraces()) {
      for (const f of [...traceFiles('resnet50-v1.0.15-2025'), ...traceFiles('dlio-prototype-2023')])
        copyFileSync(f, join(run, f.split('/').pop()!.replace(/^\./, 'x')));
    }
    files = (await findTraceFiles([run])).files;
    whole = await summarizeTraceFiles(files, { workers: 0 });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const parts = async (n: number, tag: string) => {
    const out: string[] = [];
    for (let i = 1; i <= n; i++) {
      const p = join(tmp, `${tag}-${i}-of-${n}.json`);
      await summarizeShard(files, { workers: 0, shard: { index: i, count: n }, out: p });
      out.push(p);
    }
    return out;
  };

  for (const n of [1, 2, 3, 7]) {
    it(`${n} merged shards give exactly the whole run's summary (ops, totals, categories, slowest calls)`, async () => {
      const p = await parts(n, `n${n}`);
      const merged = await mergeParts(p.reverse()); // in any order
      assert.deepEqual(figures(merged), figures(whole));
      assert.ok(whole.slowest.length > 0 && whole.ops.length > 0);
    });
  }

  it('a merged file opens as the whole run (what the extension shows)', async () => {
    const p = await parts(3, 'open');
    const out = join(tmp, 'run.dftrace-summary.json');
    await mergeParts(p, { out });
    assert.deepEqual(figures(await loadSummaryFile(out)), figures(whole));
    JSON.parse(readFileSync(out, 'utf8')); // one JSON document, though written and read line by line
  });

  it('mismatched parts give a clear error', async () => {
    const [a1, a2] = await parts(2, 'mis');
    // another run: one file fewer
    const other = await (async () => {
      const p = join(tmp, 'other-1-of-2.json');
      await summarizeShard(files.slice(1), { workers: 0, shard: { index: 1, count: 2 }, out: p });
      return p;
    })();
    await assert.rejects(mergeParts([a1, other]), /parts of different runs: \d+ and \d+ trace files/);
    await assert.rejects(mergeParts([a1]), /shard 2 of 2 missing/);
    await assert.rejects(mergeParts([a1, a1, a2]), /shard 1\/2 is given twice/);
    const [b1, b2, b3] = await parts(3, 'mis3');
    await assert.rejects(mergeParts([a1, b2, b3]), /split into 3 and 2 shards/);
    void b1;
    const v2 = join(tmp, 'v2.json');
    writeFileSync(v2, readFileSync(a2, 'utf8').replace('"version":1,', '"version":2,'));
    await assert.rejects(mergeParts([a1, v2]), /format version 2, but this dftrace reads version 1/);
    const cut = join(tmp, 'cut.json');
    const text = readFileSync(a2, 'utf8');
    writeFileSync(cut, text.slice(0, text.length - 5));
    await assert.rejects(mergeParts([a1, cut]), /is cut or was edited/);
    writeFileSync(cut, text.slice(0, text.lastIndexOf(']}')));
    await assert.rejects(mergeParts([a1, cut]), /ends early/);
    const notPart = join(tmp, 'x.json');
    writeFileSync(notPart, '{"files":[]}\n');
    await assert.rejects(mergeParts([notPart]), /not a dftrace summary part/);
  });

  it('drill-down says which trace files a summary opened elsewhere cannot reach', async () => {
    const moved = join(tmp, 'moved');
    mkdirSync(moved);
    const two = files
      .filter((f) => /trace-[12]-of-9/.test(f))
      .map((f, i) => {
        const to = join(moved, `t${i}.pfw.gz`);
        copyFileSync(f, to);
        return to;
      });
    const out = join(tmp, 'moved.dftrace-summary.json');
    await summarizeShard(two, { workers: 0, shard: { index: 1, count: 1 }, out });
    const run = await loadSummaryFile(out);
    const row = run.ops.find((o) => o.traces.length === 2)!;
    assert.deepEqual(await unreachableTraces(run, row.file), []);
    rmSync(two[1]);
    assert.deepEqual(await unreachableTraces(run, row.file), [two[1]]);
  });

  it('splits by size, stably, into shares of similar size', () => {
    const sizes = [100, 1, 50, 50, 30, 20, 99, 1, 1];
    const split = shardSplit(sizes, 3);
    assert.deepEqual(split, shardSplit([...sizes], 3));
    const load = [0, 0, 0];
    split.forEach((s, i) => (load[s - 1] += sizes[i]));
    // largest first to the lightest share: within 4/3 of the best split (here 118 a share at best)
    assert.ok(Math.max(...load) <= (4 / 3) * 118, JSON.stringify(load));
    assert.deepEqual(shardSplit([10, 10, 10, 10, 10, 10], 3), [1, 2, 3, 1, 2, 3]);
    assert.deepEqual(shardSplit([5, 5], 4).sort(), [1, 2]);
  });
});
