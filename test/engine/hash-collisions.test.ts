// Colliding hashes resolve by position (FORMAT.md, "Files and hosts: names or hashes"): a hash names the path
// declared most recently before the event's line in its trace file; an event before any declaration in its file
// takes the file's first later one; only then the run's. Redeclared hashes are problems of their file.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  fileProblems,
  isWriteOp,
  queryRunEvents,
  scanTraceFile,
  summarizeTraceFiles,
  summaryJson,
  WorkerPool,
  type RunSummary,
} from '../../src/engine';
import { scanFileRanges, scanFileSplit } from '../../src/engine/pool/split-scan';
import { AmbiguousHashError } from '../../src/engine/summary/hash-bindings';
import { mergeFileParts } from '../../src/engine/summary/merge-file-parts';
import { BlockScanner } from '../../src/engine/summary/scan-file';
import { newReadStatus } from '../../src/engine/read/trace-bytes';
import { CollidingTrace, randomCollisions } from './colliding-traces';
import { traceFiles } from './shared-traces';
import { slowSummaries } from './slow-reference';

const WORKER_SCRIPT = path.resolve(__dirname, '../../dist/worker.js');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dft-hash-'));
}

/** The run's (file, op) -> count, for small made runs. */
function counts(run: RunSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of run.ops) out[`${r.file} ${r.op}`] = (out[`${r.file} ${r.op}`] ?? 0) + r.count;
  return out;
}

/** Every (file, cat, op) row of the run equals the slow path's, and so do its slowest writes. */
function assertEqualsSlowPath(run: RunSummary, files: string[]): void {
  const slow = slowSummaries(files);
  assert.equal(run.totals.events, slow.events);
  assert.equal(run.ops.length, slow.ops.size, 'number of (file, cat, op) rows');
  for (const row of run.ops) {
    const expected = slow.ops.get(`${row.file}\u0000${row.cat}\u0000${row.op}`);
    assert.ok(expected, `unexpected row ${row.file} ${row.cat} ${row.op}`);
    assert.deepEqual(
      { count: row.count, bytes: row.bytes, durUs: row.durUs },
      expected,
      `${row.file} ${row.op}`,
    );
  }
  const json = summaryJson(run) as { slowestWrites: unknown[] };
  assert.deepEqual(json.slowestWrites, slow.writes.slice(0, 20));
}

describe('hash collisions resolve by position', function () {
  let dir: string;
  const pool = new WorkerPool({ size: 2, workerScript: WORKER_SCRIPT });
  beforeEach(() => (dir = tmpDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  after(() => pool.dispose());

  it('within one file: declaration, events, redeclaration, events, and back', async () => {
    const t = new CollidingTrace();
    t.declare('FH', '/out/ckpt.dat', '4242');
    t.call('write', '4242', 10, 5, 100);
    t.call('write', '4242', 20, 5, 100);
    const again = t.declare('FH', '/usr/lib/libmpi.so', '4242');
    t.call('read', '4242', 30, 5, 10);
    t.declare('FH', '/out/ckpt.dat', '4242');
    t.call('write', '4242', 40, 5, 100);
    const file = t.writeTo(path.join(dir, 'a.pfw'));
    const run = await summarizeTraceFiles([file], { workers: 0 });
    assert.deepEqual(counts(run), { '/out/ckpt.dat write': 3, '/usr/lib/libmpi.so read': 1 });
    const r = run.files[0].redeclaredHashes!;
    assert.equal(r.count, 1, 'one hash, however often it changes');
    assert.deepEqual(r.examples[0], {
      kind: 'FH',
      hash: '4242',
      first: '/out/ckpt.dat',
      then: '/usr/lib/libmpi.so',
      line: again,
    });
    const [problem] = fileProblems(run.files[0]);
    assert.match(problem, /1 hash was declared again/);
    assert.match(problem, /\/out\/ckpt\.dat, then \/usr\/lib\/libmpi\.so/);
    const json = summaryJson(run) as { files: { problems: string[] }[] };
    assert.deepEqual(json.files[0].problems, [problem]);
    assertEqualsSlowPath(run, [file]);
  });

  it('an event before any declaration takes the file’s first later one, before the run’s', async () => {
    const first = new CollidingTrace(1);
    first.declare('FH', '/run/first', '7');
    first.call('write', '7', 1, 1, 1);
    const second = new CollidingTrace(2);
    second.call('write', '7', 2, 1, 1); // before any declaration in its file
    second.declare('FH', '/mine/later', '7');
    second.declare('FH', '/mine/latest', '7');
    second.call('write', '7', 3, 1, 1);
    const third = new CollidingTrace(3);
    third.call('write', '7', 4, 1, 1); // never declared in its file: the run's first (files in path order)
    const files = [first, second, third].map((t, i) => t.writeTo(path.join(dir, `${i}.pfw`)));
    const run = await summarizeTraceFiles(files, { workers: 0 });
    assert.deepEqual(counts(run), {
      '/run/first write': 2,
      '/mine/later write': 1,
      '/mine/latest write': 1,
    });
    assertEqualsSlowPath(run, files);
  });

  it('across files: each file’s own declarations win over other files’', async () => {
    const a = new CollidingTrace(1);
    a.declare('FH', '/a/out.dat', '99');
    a.call('write', '99', 1, 1, 8);
    const b = new CollidingTrace(2);
    b.declare('FH', '/b/libc.so', '99');
    b.call('read', '99', 2, 1, 8);
    const files = [a, b].map((t, i) => t.writeTo(path.join(dir, `${i}.pfw`)));
    const run = await summarizeTraceFiles(files, { workers: 0 });
    assert.deepEqual(counts(run), { '/a/out.dat write': 1, '/b/libc.so read': 1 });
    assert.equal(run.files[0].redeclaredHashes, undefined, 'no file redeclared anything');
  });

  it('64-bit integer hashes above 2^53 that round to the same double stay apart', async () => {
    const t = new CollidingTrace(1, 'bare');
    // both round to 18446744073709551616 as doubles
    t.declare('FH', '/x', '18446744073709551557');
    t.declare('FH', '/y', '18446744073709551556');
    t.call('write', '18446744073709551557', 1, 1, 1);
    t.call('write', '18446744073709551556', 2, 1, 1);
    t.declare('FH', '/z', '18446744073709551557');
    t.call('write', '18446744073709551557', 3, 1, 1);
    const file = t.writeTo(path.join(dir, 'a.pfw'));
    const run = await summarizeTraceFiles([file], { workers: 0 });
    assert.deepEqual(counts(run), { '/x write': 1, '/y write': 1, '/z write': 1 });
    assert.equal(run.files[0].redeclaredHashes?.count, 1);
    assertEqualsSlowPath(run, [file]);
  });

  it('16-bit hashes written as strings and as bare integers are the same hash', async () => {
    const t = new CollidingTrace(1, 'quoted');
    t.declare('FH', '/q', '513');
    t.lines.push(
      '{"id":9,"name":"write","cat":"POSIX","pid":1,"tid":1,"ts":5,"dur":1,"ph":"X","args":{"fhash":513,"ret":4}}',
    );
    const file = t.writeTo(path.join(dir, 'a.pfw'));
    const run = await summarizeTraceFiles([file], { workers: 0 });
    assert.deepEqual(counts(run), { '/q write': 1 });
  });

  it('hosts (HH) resolve by position too, and SH redeclarations are reported', async () => {
    const t = new CollidingTrace(1);
    t.declare('HH', 'node-a', '5');
    t.declare('FH', '/f', '1');
    t.call('write', '1', 1, 1, 1, '5', 100);
    t.declare('HH', 'node-b', '5');
    t.call('write', '1', 2, 1, 1, '5', 200);
    t.declare('SH', 'python train.py', '6');
    t.declare('SH', 'bash', '6');
    const file = t.writeTo(path.join(dir, 'a.pfw'));
    const run = await summarizeTraceFiles([file], { workers: 0 });
    assert.deepEqual(
      run.processes.map((p) => [p.pid, p.host]),
      [
        [100, 'node-a'],
        [200, 'node-b'],
      ],
    );
    const r = run.files[0].redeclaredHashes!;
    assert.equal(r.count, 2);
    assert.deepEqual(
      r.examples.map((e) => [e.kind, e.first, e.then]),
      [
        ['HH', 'node-a', 'node-b'],
        ['SH', 'python train.py', 'bash'],
      ],
    );
  });

  it('the drill-down lists exactly the events the summary filed under a path, by position', async () => {
    const t = new CollidingTrace();
    const lines: Record<string, number[]> = { '/out/a.dat': [], '/lib/x.so': [] };
    lines['/out/a.dat'].push(t.call('write', '3', 1, 9, 10)); // before any declaration: the first later one
    t.declare('FH', '/out/a.dat', '3');
    lines['/out/a.dat'].push(t.call('write', '3', 2, 1, 10));
    t.declare('FH', '/lib/x.so', '3');
    lines['/lib/x.so'].push(t.call('write', '3', 3, 50, 10));
    t.declare('FH', '/out/a.dat', '3');
    lines['/out/a.dat'].push(t.call('write', '3', 4, 1, 10));
    const other = new CollidingTrace(2);
    other.call('write', '3', 5, 1, 10); // never declared here: the run's first (/out/a.dat)
    const files = [t.writeTo(path.join(dir, 'a.pfw')), other.writeTo(path.join(dir, 'b.pfw'))];
    const run = await summarizeTraceFiles(files, { workers: 0 });
    for (const [file, want] of Object.entries(lines)) {
      const cols = await queryRunEvents(run, { file }, { workers: 0 });
      const got = Array.from({ length: cols.length }, (_, i) => [cols.trace[i], cols.line[i]]);
      const expected = want.map((l) => [0, l]);
      if (file === '/out/a.dat') expected.push([1, 1]);
      assert.deepEqual(got, expected, file);
    }
    // the slowest write jumps to the right file's list
    const slowest = run.slowestWrites[0];
    assert.equal(slowest.file, '/lib/x.so');
    const cols = await queryRunEvents(run, { file: slowest.file }, { workers: 0 });
    assert.deepEqual([cols.trace[0], cols.line[0]], [slowest.trace, slowest.line]);
  });

  // a long file with hashes redeclared throughout, scanned whole, in blocks and by gzip member, on workers and here
  for (const style of ['bare', 'quoted'] as const) {
    it(`split scans agree with whole-file scans and the slow path (${style} hashes)`, async function () {
      this.timeout(300_000);
      const hashes = style === 'bare' ? ['4242', '17', '18446744073709551557'] : ['00ff', 'beef'];
      const trace = randomCollisions({
        seed: style === 'bare' ? 3 : 4,
        lines: 30_000,
        hashes,
        paths: ['/out/a.dat', '/out/b.dat', '/usr/lib/libmpi.so', '/proc/1/stat', '/dev/hfi1_3'],
        style,
      });
      const plain = trace.writeTo(path.join(dir, 'big.pfw'));
      const gz = trace.writeTo(path.join(dir, 'big.pfw.gz'), 64 * 1024);
      const gzCut = trace.writeTo(path.join(dir, 'cut.pfw.gz'), 50_000, true);
      const whole = await summarizeTraceFiles([plain], { workers: 0 });
      assert.ok(whole.files[0].redeclaredHashes!.count >= 2);
      assertEqualsSlowPath(whole, [plain]);
      const variants: [string, Promise<RunSummary>][] = [
        ['worker, whole file', summarizeTraceFiles([plain], { pool })],
        ['blocks', summarizeTraceFiles([plain], { pool, splitMinBytes: 1, blockBytes: 16 * 1024 })],
        ['members', summarizeTraceFiles([gz], { pool, splitMinBytes: 1 })],
        ['members cut inside lines', summarizeTraceFiles([gzCut], { pool, splitMinBytes: 1 })],
        [
          'one-member blocks',
          summarizeTraceFiles([gz], { pool, splitMinBytes: 1, blockBytes: 20_000, parallelMembers: false }),
        ],
      ];
      for (const [how, p] of variants) {
        const run = await p;
        assert.deepEqual(counts(run), counts(whole), how);
        assert.deepEqual(run.ops, whole.ops, how);
        assert.deepEqual(run.slowestWrites, whole.slowestWrites, how);
        assert.deepEqual(run.files[0].redeclaredHashes, whole.files[0].redeclaredHashes, how);
        assert.deepEqual(run.files[0].fileHashes, whole.files[0].fileHashes, how);
        assert.deepEqual(
          [...run.timeline].sort((a, b) => (a.kind + a.file < b.kind + b.file ? -1 : 1)),
          [...whole.timeline].sort((a, b) => (a.kind + a.file < b.kind + b.file ? -1 : 1)),
          how,
        );
      }
    });
  }

  it('parts resolve a colliding hash by position when its uses across blocks agree (no second pass)', async () => {
    // hash 7 names /a from the start and is used in every block; late in the file it is declared again for /b and
    // used only after that, in the same block: each part's uses resolve by place, none is ambiguous
    const t = new CollidingTrace(3);
    t.declare('FH', '/a', '7');
    t.declare('FH', '/fill', '1');
    let ts = 1;
    for (let i = 0; i < 20_000; i++)
      t.call(i % 10 === 0 ? 'write' : 'read', i % 10 === 0 ? '7' : '1', ts++, i % 97, 8);
    const again = t.declare('FH', '/b', '7');
    for (let i = 0; i < 5; i++) t.call('write', '7', ts++, 1000 + i, 16);
    const plain = t.writeTo(path.join(dir, 'p.pfw'));
    const gz = t.writeTo(path.join(dir, 'p.pfw.gz'), 40_000, true);
    const whole = await scanTraceFile(plain);
    assert.equal(whole.redeclaredHashes?.examples[0].line, again);
    const expected = (await summarizeTraceFiles([plain], { workers: 0 })).ops;
    for (const [how, summary] of [
      ['blocks', await scanFileSplit(pool, plain, {}, {}, 8 * 1024)],
      ['members', (await scanFileRanges(pool, gz, {}))!],
    ] as const) {
      assert.ok(summary, how);
      assert.deepEqual(summary.redeclaredHashes, whole.redeclaredHashes, how);
      const run = await summarizeTraceFiles([plain], { workers: 0 });
      assert.deepEqual(run.ops, expected);
      const rows = (f: typeof summary) =>
        f.ops.map((o) => `${o.file} ${o.op} ${o.count} ${o.bytes} ${o.durUs}`).sort();
      assert.deepEqual(rows(summary), rows(whole), how);
    }
  });

  it('parts that used a colliding hash across blocks that name it differently ask for a pass in file order', async () => {
    const t = randomCollisions({ seed: 9, lines: 4000, hashes: ['5'], paths: ['/a', '/b'], redeclare: 0.01 });
    const plain = t.writeTo(path.join(dir, 'r.pfw'));
    // two scanners share 8 KiB blocks turn about, as workers do
    const text = fs.readFileSync(plain);
    const scanners = [new BlockScanner({}), new BlockScanner({})];
    const blockLines: number[] = [];
    for (let at = 0; at < text.length;) {
      const end = text.lastIndexOf(10, Math.min(text.length, at + 8192) - 1) + 1;
      blockLines.push(scanners[blockLines.length % 2].scan(text.subarray(at, end), blockLines.length, at));
      at = end;
    }
    const meta = { path: plain, sizeBytes: text.length, mtimeMs: 0, read: newReadStatus() };
    const limits = { slowestPerOp: 10, maxSpans: 100, maxBadExamples: 5 };
    const parts = scanners.map((s) => s.finish());
    assert.throws(() => mergeFileParts(meta, parts, blockLines, limits), AmbiguousHashError);
    // the run falls back to that pass, and its figures are the slow path's
    const run = await summarizeTraceFiles([plain], { pool, splitMinBytes: 1, blockBytes: 8 * 1024 });
    assertEqualsSlowPath(run, [plain]);
  });
});

describe('slowestWrites on the shared traces', function () {
  this.timeout(300_000);
  const pool = new WorkerPool({ size: 2, workerScript: WORKER_SCRIPT });
  after(() => pool.dispose());

  for (const name of ['polaris-8ranks-2024', 'resnet50-v1.0.15-2025']) {
    it(`${name}: the 20 longest write calls equal the slow path's`, async () => {
      const files = traceFiles(name);
      const run = await summarizeTraceFiles(files, { pool });
      const slow = slowSummaries(files);
      const json = summaryJson(run) as { slowestWrites: unknown[] };
      assert.deepEqual(json.slowestWrites, slow.writes.slice(0, 20));
      assert.equal(run.slowestWrites.length, Math.min(500, slow.writes.length));
      // what the dashboard lists: writes, even where the run's slowest calls of any kind hold none
      assert.ok(run.slowestWrites.every((c) => isWriteOp(c.op)));
    });
  }
});
