import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  generateBenchTrace,
  mergeExpectations,
  type BenchExpectation,
  type OpTotal,
} from '../../src/synth/bench-trace';
import { TraceWriter, fnv1a64Hex, type Era } from '../../src/synth/trace-writer';

type Json = Record<string, unknown>;

const ERAS: Era[] = ['2023', '2025', '2026'];
const BYTE_OPS = new Set(
  'read write pread pwrite pread64 pwrite64 readv writev preadv pwritev preadv2 pwritev2'.split(' '),
);

/** Splits a gzip file into its members by inflating each one and reading how much input it took. */
function gzipMembers(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    assert.equal(buf[off], 0x1f, `gzip magic at ${off}`);
    assert.equal(buf[off + 1], 0x8b, `gzip magic at ${off}`);
    assert.equal(buf[off + 3], 0, 'these members carry no optional header fields');
    const r = zlib.inflateRawSync(buf.subarray(off + 10), { info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    out.push(r.buffer);
    off += 10 + r.engine.bytesWritten + 8;
  }
  assert.equal(off, buf.length);
  return out;
}

function text(file: string): string {
  const raw = fs.readFileSync(file);
  return (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byRow = (a: OpTotal, b: OpTotal) => cmp(a.file, b.file) || cmp(a.cat, b.cat) || cmp(a.op, b.op);

/** The summary contract of FORMAT.md, the slow obvious way: JSON.parse of every line. */
function slowSummary(body: string) {
  const lines = body.split('\n');
  const fh = new Map<string, string>();
  const parsed: Json[] = [];
  let badLines = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line === '[' || line === ']' || line === '][') continue;
    try {
      parsed.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line) as Json);
    } catch {
      badLines++;
    }
  }
  for (const ev of parsed) {
    const args = ev.args as Json | undefined;
    if ((ev.ph === 'M' || ev.ph === 4) && ev.name === 'FH' && args)
      fh.set(String(args.value), String(args.name));
  }
  let events = 0;
  let metadata = 0;
  let tsMin = Infinity;
  let tsMax = -Infinity;
  const categories: Record<string, { count: number; durUs: number }> = {};
  const ops = new Map<string, OpTotal>();
  for (const ev of parsed) {
    if (ev.ph === 'M' || ev.ph === 4) {
      metadata++;
      continue;
    }
    if (!(ev.ph === undefined || ev.ph === 'X' || ev.ph === 1)) continue;
    events++;
    const ts = Number(ev.ts);
    const dur = Number(ev.dur);
    tsMin = Math.min(tsMin, ts);
    tsMax = Math.max(tsMax, ts + dur);
    const cat = String(ev.cat);
    const c = (categories[cat] ??= { count: 0, durUs: 0 });
    c.count++;
    c.durUs += dur;
    if (cat !== 'POSIX' && cat !== 'STDIO') continue;
    const args = (ev.args ?? {}) as Json;
    let file = '';
    if (args.fname !== undefined) file = String(args.fname);
    else if (args.fhash !== undefined) file = fh.get(String(args.fhash)) ?? `fhash:${String(args.fhash)}`;
    const op = String(ev.name);
    const ret = Number(args.ret ?? 0);
    let bytes = 0;
    if (BYTE_OPS.has(op)) bytes = ret > 0 ? ret : 0;
    else if (op === 'fread' || op === 'fwrite') bytes = ret * Number(args.size ?? 0);
    const key = JSON.stringify([file, cat, op]);
    const row = ops.get(key) ?? { file, cat, op, count: 0, bytes: 0, durUs: 0 };
    row.count++;
    row.bytes += bytes;
    row.durUs += dur;
    ops.set(key, row);
  }
  const rows = [...ops.values()].sort(byRow);
  return { events, metadata, badLines, tsMin, tsMax, categories, ops: rows, parsed };
}

describe('synth: trace writer and bench trace', function () {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dft-synth-'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hashes paths with FNV-1a 64 as 16 lowercase hex chars', () => {
    assert.equal(fnv1a64Hex(''), 'cbf29ce484222325');
    assert.equal(fnv1a64Hex('a'), 'af63dc4c8601ec8c');
    assert.match(fnv1a64Hex('/p/lustre3/x'), /^[0-9a-f]{16}$/);
  });

  it('writes the exact line shapes of each era', () => {
    const lines = (era: Era) => {
      const w = new TraceWriter({ era, pid: 12, hostname: 'corona1', gzip: false, lifecycle: false });
      w.complete({
        name: 'read',
        cat: 'POSIX',
        tid: 13,
        ts: 1000,
        dur: 5,
        args: { ret: 4096, count: 4096, fname: '/p/f', fd: 3, p_idx: 2, level: 4 },
      });
      w.complete({
        name: 'open64',
        cat: 'POSIX',
        ts: 900,
        dur: 50,
        args: { ret: 3, fname: '/p/f', flags: 0 },
      });
      w.complete({ name: 'Loader.next', cat: 'data_loader', ts: 800, dur: 300, args: { epoch: '1' } });
      return w.toBuffer().toString('utf8');
    };
    const h = fnv1a64Hex('corona1');
    const f = fnv1a64Hex('/p/f');
    assert.equal(
      lines('2023'),
      '[\n' +
        ' {"id":"0","name":"read","cat":"POSIX","pid":"12","tid":"13","ts":"1000","dur":"5","ph":"X","args":{"hostname":"corona1","ret":"4096","count":"4096","fname":"/p/f","fd":3}}\n' +
        '{"id":"1","name":"open64","cat":"POSIX","pid":"12","tid":"12","ts":"900","dur":"50","ph":"X","args":{"hostname":"corona1","ret":3,"fname":"/p/f","flags":0}}\n' +
        '{"id":"2","name":"Loader.next","cat":"data_loader","pid":"12","tid":"12","ts":"800","dur":"300","ph":"X","args":{"hostname":"corona1","epoch":"1"}}\n',
    );
    assert.equal(
      lines('2025'),
      '[\n' +
        `{"id":1,"name":"HH","cat":"dftracer","pid":12,"tid":12,"ph":"M","args":{"hhash":"${h}","name":"corona1","value":"${h}"}}\n` +
        `{"id":2,"name":"thread_name","cat":"dftracer","pid":12,"tid":12,"ph":"M","args":{"hhash":"${h}","name":"12","value":"thread_name"}}\n` +
        `{"id":3,"name":"FH","cat":"dftracer","pid":12,"tid":13,"ph":"M","args":{"hhash":"${h}","name":"/p/f","value":"${f}"}}\n` +
        `{"id":4,"name":"read","cat":"POSIX","pid":12,"tid":13,"ts":1000,"dur":5,"ph":"X","args":{"hhash":"${h}","ret":4096,"count":4096,"fhash":"${f}","fd":3,"p_idx":2,"level":4}}\n` +
        `{"id":5,"name":"open64","cat":"POSIX","pid":12,"tid":12,"ts":900,"dur":50,"ph":"X","args":{"hhash":"${h}","ret":3,"fhash":"${f}","flags":0}}\n` +
        `{"id":6,"name":"Loader.next","cat":"data_loader","pid":12,"tid":12,"ts":800,"dur":300,"ph":"X","args":{"hhash":"${h}","epoch":"1"}}\n` +
        ']',
    );
    assert.equal(
      lines('2026'),
      `{"name":"HH","cat":"dftracer","type":1,"pid":12,"tid":12,"ph":4,"args":{"hhash":"${h}","name":"corona1","value":"${h}"}}\n` +
        `{"name":"thread_name","cat":"dftracer","type":1,"pid":12,"tid":12,"ph":4,"args":{"hhash":"${h}","name":"12","value":"thread_name"}}\n` +
        `{"name":"FH","cat":"dftracer","type":1,"pid":12,"tid":13,"ph":4,"args":{"hhash":"${h}","name":"/p/f","value":"${f}"}}\n` +
        `{"id":1,"name":"read","cat":"POSIX","type":3,"pid":12,"tid":13,"ts":1000,"dur":5,"ph":1,"args":{"hhash":"${h}","ret":4096,"count":4096,"fhash":"${f}","fd":3,"p_idx":2,"level":4}}\n` +
        `{"id":2,"name":"open64","cat":"POSIX","type":3,"pid":12,"tid":12,"ts":900,"dur":50,"ph":1,"args":{"hhash":"${h}","ret":3,"fhash":"${f}","flags":0}}\n` +
        `{"id":3,"name":"Loader.next","cat":"data_loader","type":6,"pid":12,"tid":12,"ts":800,"dur":300,"ph":1,"args":{"hhash":"${h}","epoch":"1"}}\n`,
    );
  });

  it('declares a file up front and still dates the start event by the first event', () => {
    const w = new TraceWriter({ era: '2025', pid: 7, hostname: 'h', gzip: false, cwd: '/w', cmdline: 'a;b' });
    const h = w.fileHash('/p/early');
    w.complete({ name: 'write', cat: 'POSIX', ts: 5000, dur: 3, args: { ret: 1, fname: '/p/early' } });
    const info = w.close();
    const lines = w.toBuffer().toString('utf8').split('\n').slice(1, -1);
    const evs = lines.map((l) => JSON.parse(l) as Json);
    assert.deepEqual(
      evs.map((e) => e.name),
      ['HH', 'thread_name', 'FH', 'FH', 'SH', 'SH', 'start', 'write', 'end'],
    );
    assert.equal((evs[2].args as Json).value, h);
    assert.equal(evs[6].ts, 5000);
    assert.equal(info.metadata, 6);
    assert.equal(info.tsMin, 5000);
    assert.equal(info.tsMax, 5003);
  });

  it('escapes strings unless asked to write them raw, as the tracer does', () => {
    const make = (rawStrings: boolean) => {
      const w = new TraceWriter({ era: '2023', pid: 1, hostname: 'h', gzip: false, rawStrings });
      w.complete({ name: 'open', cat: 'POSIX', ts: 1, dur: 1, args: { fname: '/p/a"b\\c' } });
      return slowSummary(w.toBuffer().toString('utf8'));
    };
    const escaped = make(false);
    assert.equal(escaped.badLines, 0);
    assert.equal(escaped.ops[0].file, '/p/a"b\\c');
    assert.equal(make(true).badLines, 1);
  });

  it('streams to a file exactly the bytes it would keep in memory', () => {
    const feed = (w: TraceWriter) => {
      for (let i = 0; i < 5000; i++) {
        w.complete({
          name: 'write',
          cat: 'POSIX',
          ts: 1e15 + i * 10,
          dur: 7,
          args: { ret: i, count: i, fname: `/p/f${i % 7}` },
        });
      }
    };
    const file = path.join(dir, 'stream.pfw.gz');
    const a = new TraceWriter({
      era: '2025',
      pid: 5,
      hostname: 'h',
      gzip: true,
      memberBytes: 32 * 1024,
      path: file,
    });
    feed(a);
    const info = a.close();
    const b = new TraceWriter({ era: '2025', pid: 5, hostname: 'h', gzip: true, memberBytes: 32 * 1024 });
    feed(b);
    assert.deepEqual(fs.readFileSync(file), b.toBuffer());
    assert.equal(info.fileBytes, fs.statSync(file).size);
    assert.equal(info.events, 5002);
    // HH, thread_name, FH of cwd '/', one SH (command line and executable are both 'python'), 7 files
    assert.equal(info.metadata, 2 + 1 + 1 + 7);
    assert.ok(info.members > 1);
  });

  for (const era of ERAS) {
    describe(`bench trace, era ${era}`, () => {
      let file: string;
      let expect: BenchExpectation;
      let body: string;
      before(() => {
        file = path.join(dir, `bench-${era}.pfw.gz`);
        expect = generateBenchTrace(file, {
          events: 4000,
          seed: 3,
          era,
          dataFiles: 48,
          memberBytes: 64 * 1024,
        });
        body = text(file);
      });

      it('has the exact requested number of complete events', () => {
        assert.equal(expect.events, 4000);
      });

      it('frames lines as the era did', () => {
        const lines = body.split('\n');
        if (era === '2026') {
          assert.ok(lines[0].startsWith('{'));
          assert.equal(lines.at(-1), '', 'ends with a newline, no bracket');
          assert.ok(!body.includes('['), 'no brackets at all');
        } else {
          assert.equal(lines[0], '[');
          if (era === '2025') assert.equal(lines.at(-1), ']', '] last, with no newline after it');
          else assert.equal(lines.at(-1), '', '2023 left the array open');
        }
        for (const line of lines) {
          const t = line.trim();
          if (t === '' || t === '[' || t === ']') continue;
          const ev = JSON.parse(t) as Json;
          assert.equal(typeof ev, 'object');
        }
      });

      it('types fields as the era did', () => {
        const { parsed } = slowSummary(body);
        for (const ev of parsed) {
          const args = (ev.args ?? {}) as Json;
          if (era === '2023') {
            for (const k of ['id', 'pid', 'tid', 'ts', 'dur']) assert.equal(typeof ev[k], 'string', k);
            assert.equal(ev.ph, 'X');
            assert.equal(typeof args.hostname, 'string');
            for (const k of ['count', 'offset', 'size'])
              if (k in args) assert.equal(typeof args[k], 'string', k);
            if (ev.name === 'read' || ev.name === 'pread64' || ev.name === 'write')
              assert.equal(typeof args.ret, 'string');
            if (ev.name === 'open64' || ev.name === 'close') assert.equal(typeof args.ret, 'number');
            assert.ok(!('fhash' in args) && !('p_idx' in args));
          } else {
            for (const k of ['pid', 'tid']) assert.equal(typeof ev[k], 'number', k);
            assert.match(String(args.hhash), /^[0-9a-f]{16}$/);
            assert.ok(!('fname' in args) && !('hostname' in args));
            if ('fhash' in args) assert.match(String(args.fhash), /^[0-9a-f]{16}$/);
            if (era === '2026') {
              assert.ok(ev.ph === 1 || ev.ph === 4);
              assert.equal(typeof ev.type, 'number');
              if (ev.ph === 4) assert.ok(!('id' in ev));
            } else {
              assert.ok(ev.ph === 'X' || ev.ph === 'M');
              assert.equal(typeof ev.id, 'number');
            }
          }
        }
      });

      it('declares every hash before its first use, once', () => {
        if (era === '2023') return;
        const { parsed } = slowSummary(body);
        const seen = new Set<string>();
        for (const ev of parsed) {
          const args = (ev.args ?? {}) as Json;
          if (ev.name === 'FH' || ev.name === 'HH') {
            const v = String(args.value);
            assert.ok(!seen.has(v), `${String(ev.name)} ${v} declared twice`);
            assert.equal(v, fnv1a64Hex(String(args.name)));
            seen.add(v);
          } else if (ev.name !== 'SH' && ev.name !== 'thread_name') {
            assert.ok(seen.has(String(args.hhash)), 'HH before use');
            if ('fhash' in args)
              assert.ok(seen.has(String(args.fhash)), `FH ${String(args.fhash)} before use`);
          }
        }
        assert.equal(parsed[0].name, 'HH');
        const start = parsed.find((e) => e.name === 'start');
        const end = parsed.at(-1);
        assert.ok(start && end && end.name === 'end');
        assert.equal(start.cat, 'dftracer');
      });

      it('states totals that an independent JSON.parse pass finds', () => {
        const slow = slowSummary(body);
        assert.equal(slow.badLines, 0);
        assert.equal(slow.events, expect.events);
        assert.equal(slow.metadata, expect.metadata);
        assert.equal(slow.tsMin, expect.tsMin);
        assert.equal(slow.tsMax, expect.tsMax);
        assert.deepEqual(slow.categories, expect.categories);
        assert.deepEqual(slow.ops, expect.ops);
        assert.equal(expect.files, new Set(expect.ops.map((o) => o.file).filter((f) => f !== '')).size);
        assert.equal(Buffer.byteLength(body), expect.textBytes);
        assert.equal(fs.statSync(file).size, expect.fileBytes);
      });

      it('looks like a DLIO run: POSIX reads, checkpoint writes, STDIO, app categories', () => {
        const byOp = (op: string, cat = 'POSIX') => expect.ops.filter((o) => o.op === op && o.cat === cat);
        for (const op of ['read', 'pread64', 'write', 'open64', 'close', 'lseek64', '__fxstat64']) {
          assert.ok(byOp(op).length > 0, op);
        }
        assert.ok(byOp('fwrite', 'STDIO').length > 0 && byOp('fread', 'STDIO').length > 0);
        for (const cat of ['dlio_benchmark', 'data_loader', 'checkpoint'])
          assert.ok(expect.categories[cat]?.count > 0, cat);
        assert.ok(byOp('write').some((o) => o.file.includes('/checkpoint/') && o.bytes > 0));
        const posix = expect.categories.POSIX.count;
        assert.ok(posix > 0.8 * expect.events, `mostly POSIX (${posix})`);
      });

      it('has several gzip members, each ending at a line boundary', () => {
        const members = gzipMembers(fs.readFileSync(file));
        assert.ok(members.length > 1);
        assert.equal(members.length, expect.members);
        for (const m of members.slice(0, -1)) assert.equal(m[m.length - 1], 0x0a);
        assert.equal(Buffer.concat(members).toString('utf8'), body);
      });
    });
  }

  it('is deterministic: same seed, same bytes; another seed, other bytes', () => {
    const gen = (name: string, seed: number) => {
      const f = path.join(dir, name);
      generateBenchTrace(f, { events: 3000, seed, era: '2025', dataFiles: 40 });
      return fs.readFileSync(f);
    };
    const a = gen('det-a.pfw.gz', 11);
    const b = gen('det-b.pfw.gz', 11);
    const c = gen('det-c.pfw.gz', 12);
    assert.ok(a.equals(b));
    assert.ok(!a.equals(c));
  });

  it('merges the expectations of several files as a run does', () => {
    const parts = [0, 1, 2].map((rank) =>
      generateBenchTrace(path.join(dir, `run-${rank}.pfw.gz`), {
        events: 1500,
        seed: 40 + rank,
        dataFiles: 30,
      }),
    );
    const run = mergeExpectations(parts);
    const rows = new Map<string, OpTotal>();
    let metadata = 0;
    for (const p of parts) {
      // each file resolves its own hashes; the run then merges rows by path
      const slow = slowSummary(text(p.path));
      metadata += slow.metadata;
      for (const o of slow.ops) {
        const key = JSON.stringify([o.file, o.cat, o.op]);
        const row = rows.get(key) ?? { ...o, count: 0, bytes: 0, durUs: 0 };
        row.count += o.count;
        row.bytes += o.bytes;
        row.durUs += o.durUs;
        rows.set(key, row);
      }
    }
    assert.equal(run.events, 4500);
    assert.equal(run.metadata, metadata);
    assert.deepEqual(run.ops, [...rows.values()].sort(byRow));
    assert.ok(
      run.ops.some((o) => o.count > parts[0].ops.find((p) => p.file === o.file && p.op === o.op)!.count),
    );
  });

  it('writes plain .pfw and one member by default for a small gzip', () => {
    const plain = path.join(dir, 'plain.pfw');
    const e = generateBenchTrace(plain, { events: 1000, seed: 2, era: '2025', dataFiles: 30 });
    assert.equal(e.members, 0);
    assert.equal(slowSummary(fs.readFileSync(plain, 'utf8')).events, 1000);
    const gz = path.join(dir, 'one.pfw.gz');
    const g = generateBenchTrace(gz, { events: 1000, seed: 2, era: '2025', dataFiles: 30 });
    assert.equal(gzipMembers(fs.readFileSync(gz)).length, 1);
    assert.equal(g.members, 1);
    assert.equal(zlib.gunzipSync(fs.readFileSync(gz)).toString('utf8'), fs.readFileSync(plain, 'utf8'));
  });
});
