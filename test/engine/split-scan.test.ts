import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { summarizeTraceFiles, WorkerPool, type RunSummary } from '../../src/engine';
import { traceFiles } from './shared-traces';

const by =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** What must not depend on how a file was cut: everything but the cut itself and the order of unordered lists. */
function comparable(run: RunSummary): unknown {
  const files = run.files.map((f) => ({
    ...f,
    read: undefined,
    ops: [...f.ops].sort(by((o) => `${o.file}\u0000${o.cat}\u0000${o.op}`)),
    timeline: [...f.timeline].sort(by((t) => `${t.kind}\u0000${t.file}`)),
    processes: [...f.processes].sort((a, b) => a.pid - b.pid),
    fileHashes: [...f.fileHashes].sort(by((h) => h[0])),
    hostHashes: [...f.hostHashes].sort(by((h) => h[0])),
    stringHashes: [...f.stringHashes].sort(by((h) => h[0])),
  }));
  const timeline = [...run.timeline].sort(by((t) => `${t.kind}\u0000${t.file}`));
  return JSON.parse(JSON.stringify({ ...run, files, timeline }));
}

describe('one big file scanned by several workers in blocks', () => {
  const workerScript = resolve(__dirname, '../../dist/worker.js');
  const pool = new WorkerPool({ size: 2, workerScript });
  const single = new WorkerPool({ size: 1, workerScript });
  after(async () => {
    await pool.dispose();
    await single.dispose();
  });

  for (const [name, blockBytes] of [
    ['resnet50-v1.0.15-2025', 65_536], // FH metadata declared in one block, used in later ones
    ['dlio-prototype-2023', 4_096], // bad lines in many blocks: examples stay the first five of the file
    ['polaris-8ranks-2024', 100_003], // a newline inside a file name; leading spaces
    ['dlio-pytorch-2023', 1_000_000],
  ] as const) {
    it(`${name}: the same summary as one worker reading the file whole (blocks of ${blockBytes} bytes)`, async () => {
      const files = traceFiles(name).slice(0, 2);
      const whole = await summarizeTraceFiles(files, { pool: single });
      assert.equal(pool.size, 2);
      const split = await summarizeTraceFiles(files, { pool, splitMinBytes: 0, blockBytes });
      assert.deepEqual(comparable(split), comparable(whole));
      assert.ok(split.totals.events > 0);
    });
  }

  it('cancels promptly and the pool still works afterwards', async () => {
    const files = traceFiles('dlio-pytorch-2023');
    const controller = new AbortController();
    const pending = summarizeTraceFiles(files, {
      pool,
      splitMinBytes: 0,
      blockBytes: 8192,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
    const again = await summarizeTraceFiles(files, { pool, splitMinBytes: 0, blockBytes: 65_536 });
    assert.equal(again.totals.events, 93_894);
  });
});
