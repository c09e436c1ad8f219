// Edge cases of the trace reader and scanner (FORMAT.md): damaged gzip, odd framing, bad lines, huge lines,
// 64-bit hashes, every era's number and `ph` conventions, many files on the worker pool, chunk boundaries,
// cancellation and the events drill-down. Every fixture is written to a fresh temp folder by the test itself.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  orderByTime,
  queryRunEvents,
  readRawLine,
  scanTraceFile,
  summarizeTraceFiles,
  UNRESOLVED_PREFIX,
  WorkerPool,
  type EventColumns,
  type RunProgress,
  type RunSummary,
  type TraceFileSummary,
} from '../../src/engine';
import { forEachLine } from '../../src/engine/read/lines';
import { rng } from '../../src/synth/random';

const ROOT = path.resolve(__dirname, '../..');
const WORKER_SCRIPT = path.join(ROOT, 'dist/worker.js');

// ---------------------------------------------------------------------------------------------------------------
// helpers

/** Runs `fn` with a fresh temp folder that is removed afterwards, whatever happens. */
async function inTmp<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dft-edge-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface Ev {
  id?: number;
  name: string;
  cat: string;
  pid?: number;
  tid?: number;
  ts: number;
  dur: number;
  args?: Record<string, unknown>;
}

/** One complete event as the v1.0.x writers print it (integer fields, `"ph":"X"`). */
function evLine(e: Ev): string {
  return JSON.stringify({
    id: e.id ?? 1,
    name: e.name,
    cat: e.cat,
    pid: e.pid ?? 1,
    tid: e.tid ?? 1,
    ts: e.ts,
    dur: e.dur,
    ph: 'X',
    ...(e.args ? { args: e.args } : {}),
  });
}

/** A POSIX write of `ret` bytes to `fname`. */
function writeLine(id: number, fname: string, ts: number, dur: number, ret: number): string {
  return evLine({ id, name: 'write', cat: 'POSIX', ts, dur, args: { fname, count: ret, ret } });
}

/** An `FH` metadata line declaring `hash` (the raw token text, quoted as the writer does) for `name`. */
function fhLine(name: string, hash: string, ph: string | number = '"M"'): string {
  return `{"id":0,"name":"FH","cat":"dftracer","pid":1,"tid":1,"ph":${ph},"args":{"name":"${name}","value":"${hash}"}}`;
}

function write(dir: string, name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

function opsOf(s: {
  ops: { file: string; cat: string; op: string; count: number; bytes: number; durUs: number }[];
}) {
  return s.ops
    .map((o) => ({ file: o.file, cat: o.cat, op: o.op, count: o.count, bytes: o.bytes, durUs: o.durUs }))
    .sort((a, b) => (a.file + '\0' + a.op < b.file + '\0' + b.op ? -1 : 1));
}

function countFor(s: { ops: { file: string; count: number }[] }, file: string): number {
  return s.ops.filter((o) => o.file === file).reduce((a, o) => a + o.count, 0);
}

/** What a per-file summary says about the text, independent of how the bytes were stored. */
function textProjection(s: TraceFileSummary) {
  return {
    error: s.error,
    lines: s.lines,
    events: s.events,
    metadata: s.metadata,
    counters: s.counters,
    otherPh: s.otherPh,
    badLines: s.badLines,
    badExamples: s.badExamples,
    era: s.era,
    eventsWithArgs: s.eventsWithArgs,
    eventsWithFile: s.eventsWithFile,
    tsMin: s.tsMin,
    tsMax: s.tsMax,
    categories: s.categories,
    ops: s.ops,
    processes: s.processes,
    timeline: s.timeline,
    spans: s.spans,
    fileHashes: s.fileHashes,
    hostHashes: s.hostHashes,
    stringHashes: s.stringHashes,
  };
}

/** A gzip member built by hand from raw deflate data (so a test can damage a chosen block). */
function gzipMember(deflate: Buffer, text: Buffer): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(zlib.crc32(text) >>> 0, 0);
  trailer.writeUInt32LE(text.length % 2 ** 32, 4);
  return Buffer.concat([header, deflate, trailer]);
}

/** Lines of `text` the way the contract splits them: [1-based line number, byte offset, text]. */
function expectedLines(bytes: Buffer): [number, number, string][] {
  const out: [number, number, string][] = [];
  let start = 0;
  let n = 0;
  for (;;) {
    const nl = bytes.indexOf(10, start);
    if (nl < 0) break;
    out.push([++n, start, bytes.subarray(start, nl).toString('utf8')]);
    start = nl + 1;
  }
  if (start < bytes.length) out.push([++n, start, bytes.subarray(start).toString('utf8')]);
  return out;
}

async function collectLines(chunks: Buffer[]): Promise<[number, number, string][]> {
  async function* gen() {
    for (const c of chunks) yield c;
  }
  const out: [number, number, string][] = [];
  await forEachLine(gen(), (b, start, end, lineNo, offset) => {
    out.push([lineNo, offset, Buffer.from(b.subarray(start, end)).toString('utf8')]);
  });
  return out;
}

function ensureWorkerBuilt(): void {
  if (!fs.existsSync(WORKER_SCRIPT))
    execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'inherit' });
  assert.ok(fs.existsSync(WORKER_SCRIPT), 'dist/worker.js must be built (node esbuild.js)');
}

/** `n` distinct-looking POSIX writes to `fname`, ids from `firstId`. */
function writes(n: number, fname: string, firstId = 1, ts0 = 1_700_000_000_000_000): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(writeLine(firstId + i, fname, ts0 + i * 37, 5 + (i % 11), 4096 + (i % 13)));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

describe('engine edge cases', function () {
  this.timeout(120_000);

  it('1. truncated gzip: keeps every complete line before the cut, flags the file, never throws', async () => {
    await inTmp(async (dir) => {
      const all = writes(4000, '/data/cut.bin');
      const text1 = Buffer.from('[\n' + all.slice(0, 2000).join('\n') + '\n');
      const text2 = Buffer.from(all.slice(2000).join('\n') + '\n');
      const m1 = zlib.gzipSync(text1);
      const m2 = zlib.gzipSync(text2);
      const whole = Buffer.concat([m1, m2]);

      // a cut in the middle of the last member's deflate data
      const cutAt = m1.length + Math.floor(m2.length * 0.6);
      const p = write(dir, 'cut.pfw.gz', whole.subarray(0, cutAt));
      // the oracle: what the deflate data before the cut decodes to
      const prefix = zlib
        .inflateRawSync(whole.subarray(m1.length + 10, cutAt), { finishFlush: zlib.constants.Z_SYNC_FLUSH })
        .toString('utf8');
      const pieces = prefix.split('\n');
      const half = pieces.pop()!;
      let halfIsObject = false;
      try {
        JSON.parse(half);
        halfIsObject = true;
      } catch {
        /* the usual case: a half line */
      }
      const completeInCut = pieces.length;
      assert.ok(
        completeInCut > 1000 && completeInCut < 2000,
        `the cut is mid-member (${completeInCut} lines)`,
      );

      const s = await scanTraceFile(p);
      assert.equal(s.error, undefined);
      assert.equal(s.read.compressed, true);
      assert.equal(s.read.truncated, true);
      assert.equal(s.read.problems.length, 1, JSON.stringify(s.read.problems));
      assert.match(s.read.problems[0], /member 2 .*cut short/);
      assert.equal(s.events, 2000 + completeInCut + (halfIsObject ? 1 : 0));
      assert.equal(s.badLines, half.length > 0 && !halfIsObject ? 1 : 0);
      assert.ok(s.badLines <= 1);
      assert.equal(countFor(s, '/data/cut.bin'), s.events);

      // cut inside the trailer of the last member: every event is there, still truncated
      const p2 = write(dir, 'trailer.pfw.gz', whole.subarray(0, whole.length - 3));
      const s2 = await scanTraceFile(p2);
      assert.equal(s2.events, 4000);
      assert.equal(s2.badLines, 0);
      assert.equal(s2.read.truncated, true);
      assert.equal(s2.read.problems.length, 1);
      assert.match(s2.read.problems[0], /trailer/);

      // cut inside the header of the last member: the first member's events, truncated
      const p3 = write(dir, 'header.pfw.gz', whole.subarray(0, m1.length + 5));
      const s3 = await scanTraceFile(p3);
      assert.equal(s3.events, 2000);
      assert.equal(s3.badLines, 0);
      assert.equal(s3.read.truncated, true);
      assert.equal(s3.read.problems.length, 1);

      // and in a run: the file counts as truncated, the run does not fail
      const run = await summarizeTraceFiles([p, p2, p3], { workers: 0 });
      assert.equal(run.totals.events, s.events + 4000 + 2000);
      assert.equal(run.totals.truncatedFiles, 3);
      assert.equal(run.totals.unreadableFiles, 0);
    });
  });

  it('2. multi-member gzip: intact members all read; a corrupt middle member is skipped, the rest kept', async () => {
    await inTmp(async (dir) => {
      const n = [700, 900, 800, 600];
      const texts = n.map((k, m) =>
        Buffer.from(writes(k, `/m${m + 1}/file`, 1 + m * 10_000).join('\n') + '\n'),
      );

      // intact, 4 members
      const intact = write(dir, 'intact.pfw.gz', Buffer.concat(texts.map((t) => zlib.gzipSync(t))));
      const si = await scanTraceFile(intact);
      assert.equal(si.read.members, 4);
      assert.equal(si.read.truncated, false);
      assert.deepEqual(si.read.problems, []);
      assert.equal(si.events, 3000);
      assert.equal(si.badLines, 0);
      for (let m = 0; m < 4; m++) assert.equal(countFor(si, `/m${m + 1}/file`), n[m]);

      // (a) the middle member's first deflate block has an invalid block type (BTYPE = 11)
      const members = texts.slice(0, 3).map((t) => zlib.gzipSync(t));
      const bad = Buffer.from(members[1]);
      bad[10] |= 0x06;
      const pa = write(dir, 'corrupt-a.pfw.gz', Buffer.concat([members[0], bad, members[2]]));
      const sa = await scanTraceFile(pa);
      assert.equal(sa.error, undefined);
      assert.equal(sa.read.truncated, true);
      assert.ok(
        sa.read.problems.some((m) => /member 2\b.*corrupt/.test(m)),
        `a problem names the corrupt member: ${JSON.stringify(sa.read.problems)}`,
      );
      assert.equal(countFor(sa, '/m1/file'), n[0], 'first member kept');
      assert.equal(countFor(sa, '/m3/file'), n[2], 'last member kept (resynchronised)');
      assert.equal(countFor(sa, '/m2/file'), 0);
      assert.equal(sa.events, n[0] + n[2]);
      assert.equal(sa.badLines, 0);

      // (b) the middle member breaks after more than one inflate output chunk (256 KiB) of good text, so part of
      // it is delivered, ending in the middle of a line; the next member's first line must not be lost to it
      const big = Buffer.from(writes(5000, '/m2/file', 50_000).join('\n') + '\n');
      assert.ok(big.length > 600 * 1024);
      const tail = Buffer.from(writes(50, '/m2/file', 90_000).join('\n') + '\n');
      const d1 = zlib.deflateRawSync(big, { finishFlush: zlib.constants.Z_FULL_FLUSH });
      const d2 = Buffer.from(zlib.deflateRawSync(tail));
      // sanity: the two raw streams join into one valid deflate stream
      assert.equal(zlib.inflateRawSync(Buffer.concat([d1, d2])).length, big.length + tail.length);
      d2[0] |= 0x06;
      const mid = gzipMember(Buffer.concat([d1, d2]), Buffer.concat([big, tail]));
      const pb = write(dir, 'corrupt-b.pfw.gz', Buffer.concat([members[0], mid, members[2]]));
      const sb = await scanTraceFile(pb);
      assert.equal(sb.read.truncated, true);
      assert.ok(
        sb.read.problems.some((m) => /member 2\b.*corrupt/.test(m)),
        JSON.stringify(sb.read.problems),
      );
      assert.equal(countFor(sb, '/m1/file'), n[0], 'first member kept');
      const midEvents = countFor(sb, '/m2/file');
      assert.ok(
        midEvents > 0 && midEvents < 5050,
        `part of the broken member is delivered (${midEvents} events)`,
      );
      assert.ok(sb.badLines <= 1, `at most the half line of the broken member is bad (got ${sb.badLines})`);
      assert.equal(countFor(sb, '/m3/file'), n[2], 'every event of the last member kept');
      assert.equal(sb.events, n[0] + midEvents + n[2]);
    });
  });

  it('3. plain text named .pfw.gz is read as plain text', async () => {
    await inTmp(async (dir) => {
      const body = '[\n' + writes(25, '/plain/file').join('\n') + '\n]';
      const p = write(dir, 'liar.pfw.gz', body);
      const s = await scanTraceFile(p);
      assert.equal(s.error, undefined);
      assert.equal(s.read.compressed, false);
      assert.equal(s.read.truncated, false);
      assert.equal(s.events, 25);
      assert.equal(s.badLines, 0);
      assert.equal(s.read.problems.length, 1);
      assert.match(s.read.problems[0], /not gzip/);
      assert.equal(s.read.uncompressedBytes, Buffer.byteLength(body));
    });
  });

  it('4. empty files, bracket-only files and a missing file', async () => {
    await inTmp(async (dir) => {
      const empties = [
        write(dir, 'a.pfw', ''),
        write(dir, 'b.pfw.gz', ''),
        write(dir, 'c.pfw', '['),
        write(dir, 'd.pfw', '[\n]'),
        write(dir, 'e.pfw', '[\n][\n]\n'),
        write(dir, 'f.pfw.gz', zlib.gzipSync('[\n]')),
        write(dir, 'g.pfw.gz', zlib.gzipSync('')),
      ];
      for (const p of empties) {
        const s = await scanTraceFile(p);
        const what = path.basename(p);
        assert.equal(s.error, undefined, what);
        assert.equal(s.events, 0, what);
        assert.equal(s.metadata, 0, what);
        assert.equal(s.badLines, 0, what);
        assert.equal(s.read.truncated, false, what);
        assert.deepEqual(s.read.problems, [], what);
        assert.deepEqual(s.ops, [], what);
        assert.ok(Number.isNaN(s.tsMin) && Number.isNaN(s.tsMax), what);
        assert.equal(s.era, 'unknown', what);
      }
      const run = await summarizeTraceFiles(empties, { workers: 0 });
      assert.equal(run.totals.traceFiles, empties.length);
      assert.equal(run.totals.events, 0);
      assert.equal(run.totals.badLines, 0);
      assert.equal(run.totals.unreadableFiles, 0);
      assert.equal(run.totals.truncatedFiles, 0);
      assert.deepEqual(run.ops, []);
      assert.ok(Number.isNaN(run.totals.tsMin));

      const good1 = write(dir, 'good1.pfw', writes(3, '/g/one').join('\n') + '\n');
      const good2 = write(dir, 'good2.pfw.gz', zlib.gzipSync(writes(4, '/g/two').join('\n') + '\n'));
      const missing = path.join(dir, 'missing.pfw');
      const run2 = await summarizeTraceFiles([good1, missing, good2], { workers: 0 });
      assert.equal(run2.files.length, 3);
      assert.equal(run2.files[1].path, missing);
      assert.equal(typeof run2.files[1].error, 'string');
      assert.ok(run2.files[1].error!.length > 0);
      assert.equal(run2.files[1].events, 0);
      assert.equal(run2.files[0].error, undefined);
      assert.equal(run2.files[2].error, undefined);
      assert.equal(run2.totals.unreadableFiles, 1);
      assert.equal(run2.totals.events, 7);
      assert.equal(countFor(run2, '/g/one'), 3);
      assert.equal(countFor(run2, '/g/two'), 4);
    });
  });

  it('5. CRLF, indentation, `][` lines and trailing commas all parse', async () => {
    await inTmp(async (dir) => {
      const e = (id: number, ret: number) => writeLine(id, '/crlf/file', 1000 + id * 10, id, ret);
      const meta =
        '{"id":0,"name":"thread_name","cat":"dftracer","pid":1,"tid":1,"ph":"M","args":{"name":"t"}}';
      const body = [
        '[\r',
        '  ' + e(1, 100) + '\r', // the polaris-style indented first event
        '\t' + e(2, 200) + ',\r', // tab, trailing comma, CRLF
        e(3, 300) + ',', // trailing comma
        ']\r',
        '[\r',
        meta + ' ,\r',
        '][\r', // `cat a.pfw b.pfw`
        ' \t ' + e(4, 400) + ' , \r', // blanks around the trailing comma
        '\r', // an empty CRLF line
        '   \t\r',
        e(5, 500) + '\r',
        ']', // no newline after the closing bracket
      ].join('\n');
      const plain = write(dir, 'crlf.pfw', body);
      const gz = write(dir, 'crlf.pfw.gz', zlib.gzipSync(body));
      for (const p of [plain, gz]) {
        const s = await scanTraceFile(p);
        assert.equal(s.badLines, 0, JSON.stringify(s.badExamples));
        assert.equal(s.events, 5);
        assert.equal(s.metadata, 1);
        assert.equal(s.counters, 0);
        assert.equal(s.lines, 13);
        assert.deepEqual(opsOf(s), [
          { file: '/crlf/file', cat: 'POSIX', op: 'write', count: 5, bytes: 1500, durUs: 15 },
        ]);
        assert.equal(s.tsMin, 1010);
        assert.equal(s.tsMax, 1050 + 5);
      }
    });
  });

  it('6. control characters, quotes, newlines and escapes inside names', async () => {
    await inTmp(async (dir) => {
      const head = (id: number) =>
        `{"id":${id},"name":"open","cat":"POSIX","pid":1,"tid":1,"ts":${id * 100},"dur":1,"ph":"X",`;
      const lines = [
        head(1) + '"args":{"fname":"/data/a\u0001b\tc.bin"}}', // raw control characters: fine
        head(2) + '"args":{"fname":"/data/q\u0002\\"uoted.bin"}}', // raw control plus a JSON escape: fine
        head(3) + '"args":{"fname":"/data/my"file.bin"}}', // unescaped quote: bad
        head(4) + '"args":{"fname":"/data/new', // a newline inside the name splits the event ...
        'line.bin"}}', // ... over two lines: 2 bad
        head(5) + '"args":{"fname":"C:\\xdata\\file.bin"}}', // an invalid escape: bad
        head(6) + '"args":{"fname":"/data/plain.bin"}}',
      ];
      const p = write(dir, 'names.pfw', lines.join('\n') + '\n');
      const s = await scanTraceFile(p);
      assert.equal(s.lines, 7);
      assert.equal(s.events, 3);
      assert.equal(s.badLines, 4);
      assert.deepEqual(
        s.badExamples.map((b) => b.line),
        [3, 4, 5, 6],
      );
      for (const b of s.badExamples) assert.ok(b.reason.length > 0, `line ${b.line} has a reason`);
      assert.match(s.badExamples[0].reason, /unescaped quote/);
      assert.match(s.badExamples[1].reason, /inside a string/);
      assert.match(s.badExamples[2].reason, /not a JSON object/);
      assert.match(s.badExamples[3].reason, /escape/);
      const files = s.ops.map((o) => o.file).sort();
      assert.deepEqual(files, ['/data/a\u0001b\tc.bin', '/data/plain.bin', '/data/q\u0002"uoted.bin'].sort());
      for (const o of s.ops) assert.equal(o.count, 1);
    });
  });

  it('7. a 1 MiB line and a 2 MiB line among normal lines', async () => {
    await inTmp(async (dir) => {
      const blob1 = 'x'.repeat(1 << 20);
      const one = evLine({
        name: 'write',
        cat: 'POSIX',
        ts: 5,
        dur: 3,
        args: { fname: '/big/one', ret: 77, blob: blob1 },
      });
      assert.ok(one.length > 1 << 20);
      const p1 = write(dir, 'one.pfw', one + '\n');
      const s1 = await scanTraceFile(p1);
      assert.equal(s1.events, 1);
      assert.equal(s1.badLines, 0);
      assert.deepEqual(opsOf(s1), [
        { file: '/big/one', cat: 'POSIX', op: 'write', count: 1, bytes: 77, durUs: 3 },
      ]);

      const before = writes(60, '/big/before', 1, 1000);
      const huge = evLine({
        id: 61,
        name: 'pwrite',
        cat: 'POSIX',
        ts: 999_999,
        dur: 9,
        args: { fname: '/big/huge', ret: 123, blob: 'é'.repeat(1 << 20) }, // 2 MiB of UTF-8
      });
      assert.ok(Buffer.byteLength(huge) > 2 << 20);
      const after = writes(40, '/big/after', 62, 5000);
      const closeLine = evLine({
        id: 200,
        name: 'close',
        cat: 'POSIX',
        ts: 7,
        dur: 1,
        args: { fname: '/big/last' },
      });
      const all = [...before, huge, ...after, closeLine];
      const body = '[\n' + all.join('\n') + '\n';
      const lastOffset = Buffer.byteLength(body) - Buffer.byteLength(closeLine) - 1;
      for (const p of [write(dir, 'mid.pfw', body), write(dir, 'mid.pfw.gz', zlib.gzipSync(body))]) {
        const s = await scanTraceFile(p);
        assert.equal(s.lines, 103);
        assert.equal(s.events, 102);
        assert.equal(s.badLines, 0);
        assert.equal(countFor(s, '/big/before'), 60);
        assert.equal(countFor(s, '/big/after'), 40);
        const h = s.ops.find((o) => o.file === '/big/huge')!;
        assert.deepEqual([h.op, h.count, h.bytes, h.durUs], ['pwrite', 1, 123, 9]);
        assert.equal(h.slowest[0].line, 62);
        const last = s.ops.find((o) => o.file === '/big/last')!;
        assert.equal(last.slowest[0].line, 103);
        assert.equal(last.slowest[0].offset, lastOffset);
        assert.equal(await readRawLine(p, lastOffset), closeLine);
      }
    });
  });

  it('8. 64-bit integer hashes stay distinct; run-level and unresolved hashes', async () => {
    await inTmp(async (dir) => {
      const H1 = '18446744073709551557';
      const H2 = '18446744073709551558';
      const H3 = '00000000deadbeef';
      const H4 = '18446744073709551559';
      assert.equal(JSON.parse(H1), JSON.parse(H2), 'the two hashes collide as JS numbers');
      const io = (id: number, name: string, fhash: string, ret: number) =>
        `{"id":${id},"name":"${name}","cat":"POSIX","pid":1,"tid":1,"ts":${id * 10},"dur":2,"ph":"X",` +
        `"args":{"hhash":"abcd","fhash":${fhash},"ret":${ret}}}`;
      const a = [
        '[',
        io(1, 'write', H1, 10), // used before its FH line
        io(2, 'write', H2, 20),
        io(3, 'write', H1, 30),
        fhLine('/p/one', H1),
        io(4, 'read', H2, 40),
        fhLine('/p/two', H2),
        io(5, 'write', H1, 50),
        fhLine('/p/three', H3), // declared here, used only in b
        ']',
      ];
      const b = [
        '[',
        io(1, 'write', `"${H3}"`, 1),
        io(2, 'write', `"${H3}"`, 2),
        io(3, 'write', `"${H1}"`, 3), // quoted in this file, bare in a, FH value quoted: one join
        io(4, 'read', H4, 4), // declared nowhere
        io(5, 'read', H4, 5),
        ']',
      ];
      const pa = write(dir, 'a.pfw', a.join('\n'));
      const pb = write(dir, 'b.pfw.gz', zlib.gzipSync(b.join('\n')));

      const sa = await scanTraceFile(pa);
      assert.equal(sa.era, 'v1.0.8-int-hashes');
      assert.equal(sa.events, 5);
      assert.equal(sa.metadata, 3);
      assert.deepEqual(opsOf(sa), [
        { file: '/p/one', cat: 'POSIX', op: 'write', count: 3, bytes: 90, durUs: 6 },
        { file: '/p/two', cat: 'POSIX', op: 'read', count: 1, bytes: 40, durUs: 2 },
        { file: '/p/two', cat: 'POSIX', op: 'write', count: 1, bytes: 20, durUs: 2 },
      ]);
      const sb = await scanTraceFile(pb);
      assert.ok(
        sb.ops.every((o) => o.file.startsWith(UNRESOLVED_PREFIX)),
        'b declares no hash itself',
      );

      const run = await summarizeTraceFiles([pa, pb], { workers: 0 });
      assert.equal(run.totals.events, 10);
      assert.deepEqual(opsOf(run), [
        { file: '/p/one', cat: 'POSIX', op: 'write', count: 4, bytes: 93, durUs: 8 },
        { file: '/p/three', cat: 'POSIX', op: 'write', count: 2, bytes: 3, durUs: 4 },
        { file: '/p/two', cat: 'POSIX', op: 'read', count: 1, bytes: 40, durUs: 2 },
        { file: '/p/two', cat: 'POSIX', op: 'write', count: 1, bytes: 20, durUs: 2 },
        { file: `fhash:${H4}`, cat: 'POSIX', op: 'read', count: 2, bytes: 9, durUs: 4 },
      ]);
      assert.deepEqual(run.ops.find((o) => o.file === '/p/one')!.traces, [0, 1]);
      assert.deepEqual(run.ops.find((o) => o.file === '/p/three')!.traces, [1]);
      assert.equal(run.unresolvedFileHashes, 1);
      // the timeline names files as the ops do: a hash b used and a declared joins its path, one declared nowhere
      // stays a hash (its not-yet-resolved name holds a NUL that must not cut it)
      const timeline = run.timeline.map((t) => `${t.kind} ${t.file} ${[...t.bins].join(',')}`).sort();
      assert.deepEqual(timeline, [
        `read /p/two 0,40,1`,
        `read fhash:${H4} 0,9,2`,
        `write /p/one 0,93,4`,
        `write /p/three 0,3,2`,
        `write /p/two 0,20,1`,
      ]);
    });
  });

  it('9. 2026 format: integer ph and type, no brackets, hex hashes', async () => {
    await inTmp(async (dir) => {
      const HF = 'a1b2c3d4e5f60718';
      const HG = '0f0e0d0c0b0a0908';
      const HH = '1234abcd5678ef90';
      const m = (name: string, argName: string, value: string) =>
        `{"name":"${name}","cat":"dftracer","type":1,"pid":7,"tid":7,"ph":4,` +
        `"args":{"hhash":"${HH}","name":"${argName}","value":"${value}"}}`;
      const ev = (id: number, name: string, fhash: string, ret: number, ts: number, dur: number) =>
        `{"id":${id},"name":"${name}","cat":"POSIX","type":3,"pid":7,"tid":7,"ts":${ts},"dur":${dur},"ph":1,` +
        `"args":{"hhash":"${HH}","fhash":"${fhash}","ret":${ret}}}`;
      const lines = [
        m('HH', 'node0042', HH),
        m('thread_name', '7', 'thread_name'),
        m('FH', '/lustre/ckpt/layer-1.pt', HF),
        '{"id":1,"name":"start","cat":"dftracer","type":1,"pid":7,"tid":7,"ts":100,"dur":0,"ph":1,"args":{"hhash":"' +
          HH +
          '","version":"v2.0.3"}}',
        ev(2, 'write', HF, 1000, 110, 5),
        ev(3, 'write', HF, 2000, 120, 6),
        m('FH', '/lustre/ckpt/layer-2.pt', HG),
        ev(4, 'read', HG, 300, 130, 7),
        ev(5, 'lseek', HG, 0, 140, 1),
        '{"name":"cnt","cat":"sys","type":2,"pid":7,"tid":7,"ts":150,"ph":2,"args":{"value":1}}',
        '{"name":"cnt","cat":"sys","type":2,"pid":7,"tid":7,"ts":160,"ph":2,"args":{"value":2}}',
        '{"name":"write","cat":"POSIX","type":3,"pid":7,"tid":7,"ts":0,"ph":3,"args":{"dft_cnt":4,"dur_sum":40}}',
        '{"name":"read","cat":"POSIX","type":3,"pid":7,"tid":7,"ts":0,"ph":3,"args":{"dft_cnt":1,"dur_sum":4}}',
        '{"name":"open","cat":"POSIX","type":3,"pid":7,"tid":7,"ts":0,"ph":3,"args":{"dft_cnt":2,"dur_sum":2}}',
        '{"name":"odd","cat":"sys","type":9,"pid":7,"tid":7,"ts":170,"ph":9}',
        '{"id":6,"name":"end","cat":"dftracer","type":1,"pid":7,"tid":7,"ts":200,"dur":0,"ph":1,"args":{"hhash":"' +
          HH +
          '","num_events":5}}',
      ];
      const body = lines.join('\n') + '\n';
      for (const p of [write(dir, 'r.pfw', body), write(dir, 'r.pfw.gz', zlib.gzipSync(body))]) {
        const s = await scanTraceFile(p);
        assert.equal(s.era, '2026-int-ph');
        assert.equal(s.events, 6);
        assert.equal(s.metadata, 4);
        assert.equal(s.counters, 5);
        assert.equal(s.otherPh, 1);
        assert.equal(s.badLines, 0);
        assert.equal(s.tsMin, 100);
        assert.equal(s.tsMax, 200);
        assert.deepEqual(s.categories, { dftracer: 2, POSIX: 4 });
        assert.deepEqual(opsOf(s), [
          { file: '/lustre/ckpt/layer-1.pt', cat: 'POSIX', op: 'write', count: 2, bytes: 3000, durUs: 11 },
          { file: '/lustre/ckpt/layer-2.pt', cat: 'POSIX', op: 'lseek', count: 1, bytes: 0, durUs: 1 },
          { file: '/lustre/ckpt/layer-2.pt', cat: 'POSIX', op: 'read', count: 1, bytes: 300, durUs: 7 },
        ]);
        assert.deepEqual(
          s.processes.map((q) => [q.pid, q.host, q.events]),
          [[7, 'node0042', 6]],
        );
      }
    });
  });

  it('10. v1.0.4 quoted numbers are coerced', async () => {
    await inTmp(async (dir) => {
      const q = (id: number, name: string, cat: string, ts: number, dur: number, args: string) =>
        `{"id":"${id}","name":"${name}","cat":"${cat}","pid":"4242","tid":"4243","ts":"${ts}","dur":"${dur}",` +
        `"ph":"X","args":{"hostname":"lassen12","fname":"/gpfs/data/img.npz"${args}}}`;
      const lines = [
        '[',
        q(1, 'open', 'POSIX', 1000, 4, ',"flags":"0","mode":"438"'),
        q(2, 'write', 'POSIX', 1010, 10, ',"count":"4096","ret":"4096"'),
        q(3, 'write', 'POSIX', 1030, 12, ',"count":"4096","ret":"-1"'),
        q(4, 'write', 'POSIX', 1050, 13, ',"count":"100","ret":"100"'),
        q(5, 'read', 'POSIX', 1070, 7, ',"count":"4096","ret":"0"'),
        q(6, 'fwrite', 'STDIO', 1090, 20, ',"size":"8","count":"5","ret":"5"'),
        q(7, 'fwrite', 'STDIO', 1120, 30, ',"size":"8","count":"5","ret":"3"'),
        q(8, 'fread', 'STDIO', 1160, 2, ',"size":"16","count":"2","ret":"2"'),
        q(9, 'train', 'dlio_benchmark', 900, 500, ',"epoch":"1","step":"3"'),
      ];
      const p = write(dir, 'old.pfw', lines.join('\n') + '\n');
      const s = await scanTraceFile(p);
      assert.equal(s.era, 'v1.0.4-quoted');
      assert.equal(s.events, 9);
      assert.equal(s.badLines, 0);
      assert.equal(s.tsMin, 900);
      assert.equal(s.tsMax, 1400);
      const f = '/gpfs/data/img.npz';
      assert.deepEqual(opsOf(s), [
        { file: f, cat: 'STDIO', op: 'fread', count: 1, bytes: 32, durUs: 2 },
        { file: f, cat: 'STDIO', op: 'fwrite', count: 2, bytes: 64, durUs: 50 },
        { file: f, cat: 'POSIX', op: 'open', count: 1, bytes: 0, durUs: 4 },
        { file: f, cat: 'POSIX', op: 'read', count: 1, bytes: 0, durUs: 7 },
        { file: f, cat: 'POSIX', op: 'write', count: 3, bytes: 4196, durUs: 35 },
      ]);
      assert.deepEqual(
        s.processes.map((x) => [x.pid, x.host, x.threads, x.events]),
        [[4242, 'lassen12', [4243], 9]],
      );
      const w = s.ops.find((o) => o.op === 'write')!;
      assert.equal(w.durMaxUs, 13);
      assert.deepEqual(
        w.slowest.map((c) => [c.ts, c.dur, c.bytes]),
        [
          [1050, 13, 100],
          [1030, 12, 0],
          [1010, 10, 4096],
        ],
      );
    });
  });

  it('11. 300 small files on a worker pool of 2', async () => {
    ensureWorkerBuilt();
    await inTmp(async (dir) => {
      const files: string[] = [];
      let events = 0;
      let metadata = 0;
      let bytes = 0;
      for (let i = 0; i < 300; i++) {
        const k = 1 + (i % 5);
        const lines = (i % 3 === 0 ? ['['] : []).concat(
          [
            `{"id":0,"name":"PR","cat":"dftracer","pid":${i},"tid":${i},"ph":"M","args":{"name":"rank","value":"${i}"}}`,
          ],
          Array.from({ length: k }, (_, j) =>
            evLine({
              id: j + 1,
              name: 'write',
              cat: 'POSIX',
              pid: i,
              tid: i,
              ts: i * 1000 + j,
              dur: 1,
              args: { fname: `/f/${i % 7}`, ret: i + j },
            }),
          ),
        );
        events += k;
        metadata += 1;
        for (let j = 0; j < k; j++) bytes += i + j;
        const body = lines.join('\n') + '\n';
        const name = `trace-${i}-of-300.pfw`;
        files.push(i % 2 ? write(dir, name + '.gz', zlib.gzipSync(body)) : write(dir, name, body));
      }
      const pool = new WorkerPool({ size: 2, workerScript: WORKER_SCRIPT });
      assert.equal(pool.size, 2);
      try {
        const seen: RunProgress[] = [];
        const run = await summarizeTraceFiles(files, {
          workers: 2,
          pool,
          onProgress: (p) => seen.push({ ...p }),
        });
        assert.equal(run.totals.traceFiles, 300);
        assert.equal(run.totals.events, events);
        assert.equal(run.totals.metadata, metadata);
        assert.equal(run.totals.badLines, 0);
        assert.equal(run.totals.unreadableFiles, 0);
        assert.equal(run.totals.truncatedFiles, 0);
        assert.equal(run.totals.tsMin, 0);
        assert.equal(run.totals.tsMax, 299 * 1000 + (1 + (299 % 5)) - 1 + 1);
        assert.equal(
          run.ops.reduce((a, o) => a + o.bytes, 0),
          bytes,
        );
        assert.equal(run.ops.length, 7);
        run.files.forEach((f, i) => {
          assert.equal(f.path, files[i]);
          assert.equal(f.events, 1 + (i % 5));
          assert.equal(f.read.compressed, i % 2 === 1);
        });
        assert.ok(seen.length > 0);
        assert.equal(Math.max(...seen.map((p) => p.filesDone)), 300);
        assert.equal(seen[seen.length - 1].filesDone, 300);
        assert.equal(seen[seen.length - 1].filesTotal, 300);
        assert.equal(seen[seen.length - 1].events, events);
      } finally {
        await pool.dispose();
      }
    });
  });

  it('12. chunk boundaries anywhere give the same lines and the same summary', async () => {
    const lines: string[] = ['['];
    lines.push(fhLine('/data/日本語/ファイル-é.bin', 'aaaabbbbccccdddd'));
    for (let i = 0; i < 24; i++) {
      const fname = i % 3 === 0 ? '/data/日本語/ファイル-é.bin' : `/data/plain-${i % 4}.dat`;
      let l = writeLine(i + 1, fname, 10_000 + i * 3, 1 + (i % 5), 64 * (i + 1));
      if (i === 5) l = l + '\r'; // a CRLF line
      if (i === 9) l = l.slice(0, 40); // a bad (cut) line
      if (i === 14)
        l =
          '{"id":99,"name":"write","cat":"POSIX","pid":1,"tid":1,"ts":3,"dur":1,"args":{"fhash":"aaaabbbbccccdddd","ret":5}}';
      lines.push(l);
    }
    lines.push('  \t');
    lines.push(']');
    const text = Buffer.from(lines.join('\n')); // no newline after `]`
    assert.equal(lines.length, 28);
    const expected = expectedLines(text);
    assert.equal(expected.length, 28);
    assert.equal(expected[7][2].endsWith('\r'), true);

    for (let k = 0; k <= text.length; k++) {
      const got = await collectLines([text.subarray(0, k), text.subarray(k)]);
      assert.deepEqual(got, expected, `split at ${k}`);
    }
    const bytes: Buffer[] = [];
    for (let i = 0; i < text.length; i++) bytes.push(text.subarray(i, i + 1));
    assert.deepEqual(await collectLines(bytes), expected, '1-byte chunks');

    await inTmp(async (dir) => {
      const plain = await scanTraceFile(write(dir, 'ref.pfw', text));
      assert.equal(plain.lines, 28);
      assert.equal(plain.events, 23);
      assert.equal(plain.metadata, 1);
      assert.equal(plain.badLines, 1);
      assert.equal(countFor(plain, '/data/日本語/ファイル-é.bin'), 8);
      const want = textProjection(plain);
      // two members split at every offset
      for (let k = 1; k < text.length; k += 1) {
        const p = write(
          dir,
          `split-${k}.pfw.gz`,
          Buffer.concat([zlib.gzipSync(text.subarray(0, k)), zlib.gzipSync(text.subarray(k))]),
        );
        const s = await scanTraceFile(p);
        assert.equal(s.read.members, 2, `split at ${k}`);
        assert.equal(s.read.truncated, false, `split at ${k}`);
        assert.deepEqual(textProjection(s), want, `split at ${k}`);
        fs.rmSync(p);
      }
      // many members at random offsets, some of them empty
      const r = rng(12);
      for (let trial = 0; trial < 40; trial++) {
        const cuts = new Set<number>();
        const nCuts = 1 + Math.floor(r() * 12);
        for (let i = 0; i < nCuts; i++) cuts.add(Math.floor(r() * (text.length + 1)));
        const sorted = [0, ...[...cuts].sort((a, b) => a - b), text.length];
        const members: Buffer[] = [];
        for (let i = 0; i + 1 < sorted.length; i++) {
          if (sorted[i] === sorted[i + 1] && trial % 2 === 0) continue; // odd trials keep empty members
          members.push(zlib.gzipSync(text.subarray(sorted[i], sorted[i + 1])));
        }
        const p = write(dir, `rand-${trial}.pfw.gz`, Buffer.concat(members));
        const s = await scanTraceFile(p);
        const what = `cuts ${sorted.join(',')}`;
        assert.equal(s.read.members, members.length, what);
        assert.equal(s.read.truncated, false, what);
        assert.deepEqual(s.read.problems, [], what);
        assert.deepEqual(textProjection(s), want, what);
      }
    });
  });

  it('13. cancellation rejects with AbortError and leaves the pool usable', async () => {
    ensureWorkerBuilt();
    await inTmp(async (dir) => {
      const N = 200_000;
      const lines: string[] = ['['];
      for (let i = 0; i < N; i++) {
        lines.push(
          `{"id":${i + 1},"name":"${i % 2 ? 'read' : 'write'}","cat":"POSIX","pid":9,"tid":9,"ts":${1e15 + i * 13},` +
            `"dur":${i % 97},"ph":"X","args":{"hhash":"0011223344556677","fhash":"${(i % 64).toString(16).padStart(16, '0')}",` +
            `"count":${i % 8192},"ret":${i % 8192},"level":2,"p_idx":${i}}}`,
        );
      }
      const big = write(dir, 'big.pfw.gz', zlib.gzipSync(lines.join('\n') + '\n', { level: 1 }));

      for (const size of [2, 0]) {
        const pool = new WorkerPool({ size, workerScript: WORKER_SCRIPT });
        assert.equal(pool.size, size);
        try {
          const ac = new AbortController();
          let calls = 0;
          let eventsAtAbort = -1;
          const started = Date.now();
          await assert.rejects(
            summarizeTraceFiles([big], {
              pool,
              signal: ac.signal,
              onProgress: (p) => {
                calls++;
                if (!ac.signal.aborted) {
                  eventsAtAbort = p.events;
                  ac.abort();
                }
              },
            }),
            (e: Error) => {
              assert.equal(e.name, 'AbortError', `pool size ${size}: ${e.stack}`);
              return true;
            },
          );
          const tookMs = Date.now() - started;
          assert.ok(calls >= 1);
          assert.ok(
            eventsAtAbort >= 0 && eventsAtAbort < N,
            `aborted mid-file (events at abort ${eventsAtAbort})`,
          );

          // the same pool still works, on the same file
          const run = await summarizeTraceFiles([big], { pool });
          assert.equal(run.totals.events, N, `pool size ${size}`);
          assert.equal(run.totals.truncatedFiles, 0);
          assert.equal(run.ops.length, 64); // hash i % 64 has the parity of i: one op per hash
          // informational only: no timing assertion
          if (process.env.DFT_TEST_VERBOSE) console.log(`pool ${size}: cancelled after ${tookMs} ms`);
        } finally {
          await pool.dispose();
        }
      }
    });
  });

  it('14. events drill-down matches the summary and the raw lines', async () => {
    ensureWorkerBuilt();
    await inTmp(async (dir) => {
      const X = '/data/ckpt/model-日本.pt';
      const HX = '1a2b3c4d5e6f7a8b';
      // a.pfw: plain text, names by fname, events written in end order (not ts order), some CRLF lines
      const aEvents: Ev[] = [
        { id: 1, name: 'open', cat: 'POSIX', ts: 500, dur: 5, args: { fname: X, flags: 577 } },
        { id: 2, name: 'write', cat: 'POSIX', ts: 900, dur: 400, args: { fname: X, count: 4096, ret: 4096 } },
        { id: 3, name: 'write', cat: 'POSIX', ts: 700, dur: 800, args: { fname: X, count: 512, ret: 512 } },
        { id: 4, name: 'read', cat: 'POSIX', ts: 200, dur: 1400, args: { fname: X, count: 64, ret: 64 } },
        { id: 5, name: 'write', cat: 'POSIX', ts: 1650, dur: 1, args: { fname: '/other', ret: 8 } },
        { id: 6, name: 'close', cat: 'POSIX', ts: 1700, dur: 2, args: { fname: X } },
        { id: 7, name: 'step', cat: 'dlio_benchmark', ts: 100, dur: 1800, args: { step: '3' } },
      ];
      const aBody = ['[', ...aEvents.map((e, i) => evLine(e) + (i % 2 ? '\r' : ''))].join('\n') + '\n]';
      const pa = write(dir, 'a.pfw', aBody);
      // b.pfw.gz: two members, names by hash, declares HX
      const bLines1 = [
        '[',
        fhLine(X, HX),
        `{"id":1,"name":"pwrite64","cat":"POSIX","pid":2,"tid":3,"ts":650,"dur":100,"ph":"X","args":{"fhash":"${HX}","ret":2048,"offset":4096}}`,
        `{"id":2,"name":"write","cat":"POSIX","pid":2,"tid":3,"ts":600,"dur":300,"ph":"X","args":{"fhash":"${HX}","ret":1024}}`,
      ];
      const bLines2 = [
        `{"id":3,"name":"fwrite","cat":"STDIO","pid":2,"tid":3,"ts":300,"dur":1000,"ph":"X","args":{"fhash":"${HX}","size":4,"ret":10}}`,
        `{"id":4,"name":"write","cat":"POSIX","pid":2,"tid":3,"ts":1400,"dur":1,"ph":"X","args":{"fhash":"ffff000011112222","ret":1}}`,
      ];
      const pb = write(
        dir,
        'b.pfw.gz',
        Buffer.concat([zlib.gzipSync(bLines1.join('\n') + '\n'), zlib.gzipSync(bLines2.join('\n') + '\n]')]),
      );
      // c.pfw: uses HX, declared only in b
      const pc = write(
        dir,
        'c.pfw',
        `{"id":1,"name":"write","cat":"POSIX","pid":3,"tid":3,"ts":50,"dur":5000,"ph":"X","args":{"fhash":"${HX}","ret":7}}\n`,
      );

      const run: RunSummary = await summarizeTraceFiles([pa, pb, pc], { workers: 0 });
      const rows = run.ops.filter((o) => o.file === X);
      const expectedCount = rows.reduce((a, o) => a + o.count, 0);
      assert.equal(expectedCount, 5 + 3 + 1);
      assert.deepEqual(run.ops.find((o) => o.file === X && o.op === 'write')!.traces, [0, 1, 2]);

      const cols: EventColumns = await queryRunEvents(run, { file: X }, { workers: 0 });
      assert.equal(cols.length, expectedCount);
      assert.equal(
        cols.bytes.reduce((a, b) => a + b, 0),
        rows.reduce((a, o) => a + o.bytes, 0),
      );
      assert.equal(
        cols.dur.reduce((a, b) => a + b, 0),
        rows.reduce((a, o) => a + o.durUs, 0),
      );
      for (const row of rows) {
        const n = Array.from({ length: cols.length }, (_, i) => i).filter(
          (i) => cols.opNames[cols.op[i]] === row.op,
        );
        assert.equal(n.length, row.count, `op ${row.op}`);
      }
      const byTrace = [0, 0, 0];
      for (let i = 0; i < cols.length; i++) byTrace[cols.trace[i]]++;
      assert.deepEqual(byTrace, [5, 3, 1]);

      const order = orderByTime(cols);
      assert.equal(order.length, cols.length);
      assert.deepEqual(
        [...order].sort((a, b) => a - b),
        Array.from({ length: cols.length }, (_, i) => i),
      );
      for (let j = 1; j < order.length; j++)
        assert.ok(cols.ts[order[j - 1]] <= cols.ts[order[j]], `ts order at ${j}`);
      assert.deepEqual(
        [...order].map((i) => cols.ts[i]),
        [50, 200, 300, 500, 600, 650, 700, 900, 1700],
      );

      for (let i = 0; i < cols.length; i++) {
        const p = run.files[cols.trace[i]].path;
        const raw = await readRawLine(p, cols.lineOffset[i]);
        const obj = JSON.parse(raw) as { ts: number; name: string; args: { fname?: string; fhash?: string } };
        assert.equal(obj.ts, cols.ts[i], `row ${i}: ${raw}`);
        assert.equal(obj.name, cols.opNames[cols.op[i]], `row ${i}: ${raw}`);
        assert.ok(obj.args.fname === X || obj.args.fhash === HX, raw);
      }

      const writesOnly = await queryRunEvents(run, { file: X, op: 'write' }, { workers: 0 });
      assert.equal(writesOnly.length, rows.find((o) => o.op === 'write')!.count);

      // the worker pool returns the same table
      const pool = new WorkerPool({ size: 2, workerScript: WORKER_SCRIPT });
      try {
        const viaPool = await queryRunEvents(run, { file: X }, { pool });
        assert.deepEqual(viaPool, cols);
      } finally {
        await pool.dispose();
      }
    });
  });
});
