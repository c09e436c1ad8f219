import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_BIN_US,
  mergeRun,
  readRawLine,
  rowSlowest,
  scanTraceFile,
  summarizeTraceFiles,
  WorkerPool,
  type RunSummary,
} from '../../src/engine';
import { scanWholeInBlocks } from '../../src/engine/pool/split-scan';
import { PrestartedWorkers } from '../../src/engine/pool/prestarted-workers';
import { generateBenchTrace } from '../../src/synth/bench-trace';
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
  const writes = {
    ...run.writes,
    ...Object.fromEntries(
      Object.entries(run.writes).map(([k, v]) => [
        k,
        ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v,
      ]),
    ),
  };
  return JSON.parse(JSON.stringify({ ...run, files, timeline, writes }));
}

describe('workers and the main thread agree', () => {
  const workerScript = resolve(__dirname, '../../dist/worker.js');
  const pool = new WorkerPool({ size: 2, workerScript });
  after(() => pool.dispose());

  // workers inflate synchronously in pieces and hand over packed slowest calls; the main thread streams and builds
  // objects: every figure, every slowest call and the read status must come out the same
  for (const name of [
    'resnet50-v1.0.15-2025',
    'polaris-8ranks-2024',
    'dlio-pytorch-2023',
    'posix-2023-plain',
  ]) {
    it(`${name}: the same run summary, slowest calls and read status`, async () => {
      const files = traceFiles(name);
      const inWorkers = await summarizeTraceFiles(files, { pool });
      const onMain = await summarizeTraceFiles(files, { workers: 0 });
      assert.deepEqual(comparable(inWorkers), comparable(onMain));
      assert.deepEqual(
        inWorkers.files.map((f) => f.read),
        onMain.files.map((f) => f.read),
      );
      assert.ok(inWorkers.slowest.length > 0);
    });
  }

  it('a run of many files sharing rows keeps the slowest calls of the whole run, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dft-many-'));
    try {
      const files: string[] = [];
      for (let i = 0; i < 6; i++) {
        const path = join(dir, `trace-${i}.pfw.gz`);
        generateBenchTrace(path, { events: 20_000, seed: 10 + i, era: '2025', gzip: true });
        files.push(path);
      }
      const inWorkers = await summarizeTraceFiles(files, { pool });
      const onMain = await summarizeTraceFiles(files, { workers: 0 });
      assert.deepEqual(comparable(inWorkers), comparable(onMain));
      assert.ok(
        inWorkers.ops.some(
          (o, r) => o.traces.length > 1 && new Set(rowSlowest(inWorkers, r).map((c) => c.trace)).size > 1,
        ),
        'a row whose slowest calls come from several files',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('workers started before their pool', () => {
  const workerScript = resolve(__dirname, '../../dist/worker.js');

  it('are taken by the pool instead of new ones, and the ones left over stop with it', async () => {
    const prestarted = new PrestartedWorkers(workerScript, 3);
    const pool = new WorkerPool({ size: 2, workerScript, prestarted });
    pool.warm();
    assert.equal(prestarted.waiting, 1, 'the pool took two');
    const files = traceFiles('resnet50-v1.0.15-2025');
    const run = await summarizeTraceFiles(files, { pool });
    assert.deepEqual(comparable(run), comparable(await summarizeTraceFiles(files, { workers: 0 })));
    await pool.dispose();
    assert.equal(prestarted.waiting, 0);
    assert.equal(prestarted.take(), undefined);
  });
});

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
      const split = await summarizeTraceFiles(files, {
        pool,
        splitMinBytes: 0,
        blockBytes,
        parallelMembers: false,
      });
      assert.deepEqual(comparable(split), comparable(whole));
      assert.ok(split.totals.events > 0);
    });
  }

  it('a generated run with checkpoint writes: the same summary and write table either way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dftrace-split-'));
    try {
      const file = join(dir, 'trace-0-of-1.pfw.gz');
      generateBenchTrace(file, { events: 60_000, seed: 7, era: '2025', memberBytes: 1 << 20 });
      const whole = await summarizeTraceFiles([file], { pool: single });
      const split = await summarizeTraceFiles([file], { pool, splitMinBytes: 0, blockBytes: 300_000 });
      assert.ok(whole.writes.length > 100, 'the trace has writes');
      assert.deepEqual(comparable(split), comparable(whole));
      // the write table points at the lines that hold those writes
      const i = whole.writes.length - 1;
      const raw = JSON.parse(await readRawLine(file, whole.writes.offset[i]));
      assert.equal(raw.ts, whole.writes.ts[i]);
      assert.equal(raw.dur, whole.writes.dur[i]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a multi-member gzip file whose members end mid-line: workers inflating members in parallel agree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dftrace-members-'));
    try {
      const plain = join(dir, 'whole.pfw');
      generateBenchTrace(plain, { events: 20_000, seed: 3, era: '2025', gzip: false });
      const text = readFileSync(plain);
      // cut the text at arbitrary bytes (mid-line, mid-UTF-8, right after a newline) into members
      const cuts = [0, 1, 777, 40_001, 40_002, 123_457, 1_000_000, 1_000_001, 2_345_678, text.length];
      const gz = join(dir, 'members.pfw.gz');
      const members = [];
      for (let i = 0; i + 1 < cuts.length; i++) members.push(gzipSync(text.subarray(cuts[i], cuts[i + 1])));
      writeFileSync(gz, Buffer.concat(members));
      const whole = await summarizeTraceFiles([gz], { pool: single });
      const parallel = await summarizeTraceFiles([gz], { pool, splitMinBytes: 0 });
      assert.equal(parallel.files[0].read.members, cuts.length - 1);
      assert.deepEqual(comparable(parallel), comparable(whole));
      // a located event still points at its own line
      const call = parallel.slowest[parallel.slowest.length - 1];
      const raw = JSON.parse(await readRawLine(gz, call.offset));
      assert.equal(raw.ts, call.ts);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a one-member gzip file (2023: quoted numbers, fname) read into blocks by one worker for the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dftrace-onemember-'));
    try {
      const gz = join(dir, 'trace-0.pfw.gz');
      generateBenchTrace(gz, { events: 30_000, seed: 5, era: '2023', gzip: true });
      const plain = join(dir, 'trace-1.pfw');
      generateBenchTrace(plain, { events: 20_000, seed: 6, era: '2023', gzip: false });
      // a line longer than a block: the block grows until the line ends
      const long = join(dir, 'trace-2.pfw');
      const text = readFileSync(plain, 'utf8').split('\n');
      text[100] = text[100].replace('"cat":"POSIX"', `"cat":"POSIX","pad":"${'x'.repeat(200_000)}"`);
      writeFileSync(long, text.join('\n'));
      for (const file of [gz, plain, long]) {
        const whole = await summarizeTraceFiles([file], { pool: single });
        for (const blockBytes of [50_000, 1_000_003]) {
          const inWorker = await summarizeTraceFiles([file], { pool, splitMinBytes: 0, blockBytes });
          assert.deepEqual(comparable(inWorker), comparable(whole), `${file}, blocks of ${blockBytes}`);
          assert.deepEqual(inWorker.files[0].read, whole.files[0].read);
          const onMain = await summarizeTraceFiles([file], {
            pool,
            splitMinBytes: 0,
            blockBytes,
            readInWorker: false,
          });
          assert.deepEqual(comparable(onMain), comparable(whole));
        }
      }
      const whole = await summarizeTraceFiles([gz], { pool: single });
      assert.equal(whole.files[0].read.members, 1);
      assert.equal(whole.totals.events, 30_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a big file read whole by one worker in one refilled block: the same summary as the streaming reader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dftrace-whole-'));
    try {
      const files = [join(dir, 'a.pfw.gz'), join(dir, 'b.pfw.gz'), join(dir, 'c.pfw')];
      generateBenchTrace(files[0], { events: 20_000, seed: 11, era: '2023', gzip: true });
      generateBenchTrace(files[1], { events: 20_000, seed: 12, era: '2025', memberBytes: 300_000 });
      generateBenchTrace(files[2], { events: 10_000, seed: 13, era: '2025', gzip: false });
      for (const file of files) {
        const st = statSync(file);
        const whole = scanWholeInBlocks(file, st.size, st.mtimeMs, {}, () => undefined, 40_000);
        assert.ok(whole, file);
        const streamed = await scanTraceFile(file);
        assert.deepEqual(
          comparable(mergeRun([whole], DEFAULT_BIN_US)),
          comparable(mergeRun([streamed], DEFAULT_BIN_US)),
        );
        assert.deepEqual(whole.read, streamed.read);
      }
      // damage sends the file to the careful reader
      writeFileSync(files[0], readFileSync(files[0]).subarray(0, 50_000));
      const st = statSync(files[0]);
      assert.equal(
        scanWholeInBlocks(files[0], st.size, st.mtimeMs, {}, () => undefined, 40_000),
        undefined,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a damaged one-member file (cut, corrupt, CRC) is read by the careful reader: the same figures and problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dftrace-damaged-'));
    try {
      const gz = join(dir, 'trace-0.pfw.gz');
      generateBenchTrace(gz, { events: 20_000, seed: 8, era: '2023', gzip: true });
      const bytes = readFileSync(gz);
      const crc = Buffer.from(bytes);
      crc[crc.length - 6] ^= 0xff;
      const corrupt = Buffer.from(bytes);
      for (let i = 0; i < 64; i++) corrupt[(bytes.length >> 1) + i] = 0xaa;
      const cases = {
        cut: bytes.subarray(0, Math.floor(bytes.length * 0.7)),
        crc,
        corrupt,
        trailing: Buffer.concat([bytes, Buffer.from('not gzip')]),
      };
      for (const [name, data] of Object.entries(cases)) {
        const file = join(dir, `${name}.pfw.gz`);
        writeFileSync(file, data);
        const whole = await summarizeTraceFiles([file], { pool: single });
        const split = await summarizeTraceFiles([file], { pool, splitMinBytes: 0, blockBytes: 65_536 });
        assert.ok(whole.files[0].read.problems.length > 0, name);
        assert.deepEqual(comparable(split), comparable(whole), name);
        assert.deepEqual(split.files[0].read, whole.files[0].read, name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

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
