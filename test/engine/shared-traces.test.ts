import { strict as assert } from 'node:assert';
import { join, resolve } from 'node:path';
import { summarizeRun, WorkerPool, type RunSummary } from '../../src/engine';
import { haveSharedTraces, traceFiles, traceFolder } from './shared-traces';
import { slowSummaries } from './slow-reference';

/** Reference figures from ../shared/traces/README.md. */
const REFERENCE: Record<string, { files: number; events: number; metadata: number; bad: number }> = {
  'dlio-prototype-2023': { files: 1, events: 446, metadata: 0, bad: 258 },
  'posix-2023': { files: 1, events: 1012, metadata: 0, bad: 0 },
  'posix-2023-plain': { files: 1, events: 1012, metadata: 0, bad: 0 },
  'dlio-pytorch-2023': { files: 1, events: 93894, metadata: 0, bad: 0 },
  'toy-2024': { files: 1, events: 12, metadata: 0, bad: 0 },
  'polaris-8ranks-2024': { files: 16, events: 848872, metadata: 0, bad: 16 },
  'resnet50-v1.0.15-2025': { files: 1, events: 74362, metadata: 1032, bad: 0 },
};

describe('the real traces in ../shared/traces', function () {
  before(function () {
    if (!haveSharedTraces())
      throw new Error('../shared/traces is missing: CI puts shared/ beside the checkout');
  });
  const pool = new WorkerPool({ size: 2, workerScript: resolve(__dirname, '../../dist/worker.js') });
  after(() => pool.dispose());
  const runs = new Map<string, RunSummary>();
  const load = async (name: string) => {
    if (!runs.has(name)) runs.set(name, (await summarizeRun([traceFolder(name)], { pool })).summary);
    return runs.get(name)!;
  };

  for (const [name, ref] of Object.entries(REFERENCE)) {
    it(`${name}: files, events, metadata and bad lines match the README`, async () => {
      const run = await load(name);
      assert.equal(run.files.length, ref.files);
      assert.equal(run.totals.events, ref.events);
      assert.equal(run.totals.metadata, ref.metadata);
      assert.equal(run.totals.badLines, ref.bad);
      assert.equal(run.totals.truncatedFiles, 0);
      assert.equal(run.totals.unreadableFiles, 0);
    });
  }

  // the per-(file, cat, op) table against a naive JSON.parse implementation of the contract
  for (const name of ['dlio-pytorch-2023', 'resnet50-v1.0.15-2025', 'posix-2023', 'dlio-prototype-2023']) {
    it(`${name}: per-(file, cat, op) counts, bytes and durations equal an independent slow path`, async () => {
      const run = await load(name);
      const slow = slowSummaries(traceFiles(name));
      assert.equal(run.totals.events, slow.events);
      assert.equal(run.totals.badLines, slow.badLines);
      assert.equal(run.ops.length, slow.ops.size, 'number of (file, cat, op) rows');
      for (const row of run.ops) {
        const expected = slow.ops.get(`${row.file}\u0000${row.cat}\u0000${row.op}`);
        assert.ok(expected, `unexpected row ${row.file} ${row.cat} ${row.op}`);
        assert.deepEqual(
          { count: row.count, bytes: row.bytes, durUs: row.durUs },
          expected,
          row.file + ' ' + row.op,
        );
      }
    });
  }

  it('polaris-8ranks-2024: one rank (app + POSIX traces) equals the slow path', async () => {
    const files = ['test-trace-dist-2.pfw.gz', 'test-trace-dist-3.pfw.gz'].map((f) =>
      join(traceFolder('polaris-8ranks-2024'), f),
    );
    const run = (await summarizeRun(files, { pool })).summary;
    const slow = slowSummaries(files);
    assert.equal(run.totals.events, slow.events);
    assert.equal(run.ops.length, slow.ops.size);
    for (const row of run.ops) {
      const expected = slow.ops.get(`${row.file}\u0000${row.cat}\u0000${row.op}`);
      assert.deepEqual({ count: row.count, bytes: row.bytes, durUs: row.durUs }, expected, row.file + row.op);
    }
  });

  it('resolves hex file hashes through FH metadata and recognises the format eras', async () => {
    const resnet = await load('resnet50-v1.0.15-2025');
    assert.equal(resnet.unresolvedFileHashes, 0);
    assert.ok(resnet.ops.every((r) => !r.file.startsWith('fhash:')));
    assert.ok(
      resnet.ops.some((r) => r.file.startsWith('/p/lustre3/iopp/gitlab-runner-data//resnet50//data/train')),
    );
    assert.deepEqual(resnet.hosts, ['corona183']);
    assert.equal(resnet.files[0].read.members, 2);
    assert.deepEqual(resnet.eras, { 'v1.0.9-hex-hashes': 1 });
    assert.deepEqual((await load('dlio-prototype-2023')).eras, { 'prototype-2023': 1 });
    assert.deepEqual((await load('posix-2023')).eras, { 'v1.0.4-quoted': 1 });
  });

  it('explains bad lines with line numbers, reasons and excerpts', async () => {
    const proto = await load('dlio-prototype-2023');
    const ex = proto.files[0].badExamples[0];
    assert.equal(ex.reason, 'trailing comma in an object');
    assert.match(ex.excerpt, /"args":\{"step":\d+,\}/);
    const polaris = await load('polaris-8ranks-2024');
    const split = polaris.badExamples.filter((b) => /inside a string/.test(b.reason));
    assert.equal(split.length, 8, 'one cut line per POSIX trace (newline inside a file name)');
  });

  it('finds checkpoint spans and the slowest calls with their location', async () => {
    const run = await load('dlio-pytorch-2023');
    assert.ok(run.spans.length > 0, 'TorchFramework.checkpoint events');
    assert.ok(run.spans.every((s) => /checkpoint/i.test(s.name) || s.cat === 'checkpoint'));
    const slow = run.slowest[0];
    assert.ok(slow.dur >= run.slowest[1].dur);
    assert.ok(slow.line > 1 && slow.offset > 0);
  });
});
