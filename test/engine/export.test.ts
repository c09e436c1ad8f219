import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { findTraceFiles, summarizeRun, summaryJson, WorkerPool } from '../../src/engine';
import { exportRun, parquetNames } from '../../src/engine/export/export-run';
import { generateBenchTrace } from '../../src/synth/bench-trace';
import { int64Token, keyTokens } from '../../src/engine/export/int64-tokens';
import { haveSharedTraces, traceFolder } from './shared-traces';

/** The built worker when there is one (after `npm run build`): the export then runs as the CLI runs it. */
const WORKER = resolve(__dirname, '../../dist/worker.js');

async function duck(sql: string): Promise<Record<string, string | null>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const r = await con.runAndReadAll(sql);
    return r
      .getRowObjectsJson()
      .map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])),
      );
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

const sqlPath = (dir: string) => join(dir, '*.parquet').replace(/'/g, "''");

describe('Parquet export', () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(join(tmpdir(), 'dftrace-export-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const folders = [
    'dlio-prototype-2023',
    'posix-2023',
    'posix-2023-plain',
    'dlio-pytorch-2023',
    'toy-2024',
    'resnet50-v1.0.15-2025',
    'polaris-8ranks-2024',
  ];
  for (const name of folders) {
    it(`DuckDB's per-(file, cat, op) table of the export equals summarize --json: ${name}`, async function () {
      if (!haveSharedTraces()) this.skip();
      const { files } = await findTraceFiles([traceFolder(name)]);
      const out = join(tmp, name);
      const pool = new WorkerPool({ size: existsSync(WORKER) ? 2 : 0, workerScript: WORKER });
      try {
        const [exp, { summary }] = await Promise.all([
          exportRun(files, out, { pool }),
          summarizeRun([traceFolder(name)], { workers: 0 }),
        ]);
        const j = summaryJson(summary) as {
          ops: { file: string; cat: string; op: string; count: number; bytes: number; durUs: number }[];
          totals: { events: number; tsMin: number | null; tsMax: number | null };
        };
        assert.equal(exp.rows, j.totals.events);
        assert.deepEqual(
          exp.files.map((f) => f.error),
          files.map(() => undefined),
        );
        const rows = await duck(
          `select file, cat, name as op, count(*) as count, sum(bytes) as bytes, sum(dur) as durUs
           from read_parquet('${sqlPath(out)}') where cat in ('POSIX', 'STDIO')
           group by all order by file, cat, op`,
        );
        const key = (r: { file: string | null; cat: string | null; op: string | null }) =>
          `${r.file}\u0000${r.cat}\u0000${r.op}`;
        const want = j.ops
          .map((o) => ({ k: key(o), count: String(o.count), bytes: String(o.bytes), durUs: String(o.durUs) }))
          .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
        const got = rows
          .map((r) => ({
            k: key({ file: r.file, cat: r.cat, op: r.op }),
            count: r.count!,
            bytes: r.bytes!,
            durUs: r.durUs!,
          }))
          .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
        assert.equal(got.length, want.length);
        assert.deepEqual(got, want);
        const [t] = await duck(
          `select count(*) as n, min(ts) as tsMin, max(ts + dur) as tsMax, count(distinct trace_file) as traces
           from read_parquet('${sqlPath(out)}')`,
        );
        assert.equal(t.n, String(j.totals.events));
        if (j.totals.events > 0) {
          assert.equal(t.tsMin, String(j.totals.tsMin));
          assert.equal(t.tsMax, String(j.totals.tsMax));
        }
      } finally {
        await pool.dispose();
      }
    });
  }

  it('keeps the call tree (level, p_idx) and resolves hashed names and hosts', async function () {
    // reads what the per-folder tests above exported
    if (!existsSync(join(tmp, 'polaris-8ranks-2024')) || !existsSync(join(tmp, 'resnet50-v1.0.15-2025')))
      this.skip();
    const [tree] = await duck(
      `select count(level) as level, count(p_idx) as p_idx, count(*) as n
       from read_parquet('${sqlPath(join(tmp, 'polaris-8ranks-2024'))}')`,
    );
    assert.ok(Number(tree.level) > 0 && tree.level === tree.p_idx, JSON.stringify(tree));
    const [hashed] = await duck(
      `select count(*) filter (where file like 'fhash:%') as unresolved,
              count(*) filter (where hostname like 'hhash:%') as hosts_unresolved,
              count(distinct hostname) as hosts
       from read_parquet('${sqlPath(join(tmp, 'resnet50-v1.0.15-2025'))}')`,
    );
    assert.deepEqual(hashed, { unresolved: '0', hosts_unresolved: '0', hosts: '1' });
  });

  it('resolves a hash by position (redeclared, used before any declaration, declared in another file) and keeps 64-bit values exact', async () => {
    const run = join(tmp, 'made-run');
    rmSync(run, { recursive: true, force: true });
    const out = join(tmp, 'made-out');
    const ev = (id: number, name: string, ts: number, args: string, pid = '1') =>
      `{"id":${id},"name":"${name}","cat":"POSIX","pid":${pid},"tid":2,"ts":${ts},"dur":5,"ph":"X","args":{${args}}}`;
    const fh = (path: string, hash: string, kind = 'FH') =>
      `{"name":"${kind}","cat":"dftracer","ph":"M","args":{"name":"${path}","value":${hash}}}`;
    mkdirSync(run);
    writeFileSync(
      join(run, 'a.pfw'),
      [
        '[',
        ev(
          1,
          'read',
          100,
          '"fhash":"aaaa","hhash":"h1","ret":10,"offset":9223372036854775807,"level":2,"p_idx":"9007199254740995"',
          '9007199254740993',
        ),
        fh('/first/a', '"aaaa"'),
        ev(2, 'write', 110, '"fhash":"aaaa","ret":7'),
        fh('/second/b', '"aaaa"'),
        ev(3, 'write', 120, '"fhash":"aaaa","ret":7'),
        ev(4, 'write', 130, '"fhash":"bbbb","ret":7'),
        ev(5, 'fwrite', 140, '"fhash":18446744073709551615,"ret":3,"size":4'),
        ev(6, 'close', 150, ''),
      ].join('\n') + '\n',
    );
    writeFileSync(
      join(run, 'b.pfw'),
      [
        fh('/from/b', '"bbbb"'),
        fh('node1', '"h1"', 'HH'),
        fh('/big/hash', '18446744073709551615'),
        ev(7, 'read', 200, '"fhash":"aaaa","ret":1'),
      ].join('\n') + '\n',
    );
    const { files } = await findTraceFiles([run]);
    const exp = await exportRun(files, out, { workers: 0 });
    assert.deepEqual(
      exp.files.map((f) => [f.rows, f.readTwice]),
      [
        [6, true],
        [1, true],
      ],
    );
    const rows = await duck(
      `select trace_file, line, pid, hostname, file, bytes, "offset", level, p_idx
       from read_parquet('${sqlPath(out)}') order by trace_file, line`,
    );
    assert.deepEqual(
      rows.map((r) => [r.line, r.file, r.bytes]),
      [
        ['2', '/first/a', '10'], // before any declaration in its file: the file's first later one
        ['4', '/first/a', '7'], // the declaration in force
        ['6', '/second/b', '7'], // redeclared: the newer one
        ['7', '/from/b', '7'], // declared only in another file: the run's
        ['8', '/big/hash', '12'], // an unsigned 64-bit hash token keeps every digit; fwrite = ret * size
        ['9', '', '0'], // no file
        ['4', '/first/a', '1'], // b.pfw: "aaaa" declared only in a.pfw: the run's first declaration
      ],
    );
    assert.deepEqual(
      [rows[0].pid, rows[0].offset, rows[0].level, rows[0].p_idx, rows[0].hostname],
      ['9007199254740993', '9223372036854775807', '2', '9007199254740995', 'node1'],
    );
    assert.equal(rows[1].hostname, null);
  });

  it('a cancelled export leaves no complete-looking file (and no temporary one)', async () => {
    const src = join(tmp, 'cancel-src');
    mkdirSync(src, { recursive: true });
    generateBenchTrace(join(src, 'big.pfw.gz'), { events: 120_000, seed: 3, era: '2025', gzip: true });
    const out = join(tmp, 'cancel-out');
    const ctl = new AbortController();
    const done = exportRun([join(src, 'big.pfw.gz')], out, {
      workers: 0,
      groupRows: 8192,
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.rows > 20_000) ctl.abort();
      },
    });
    await assert.rejects(done, /cancelled/);
    assert.deepEqual(readdirSync(out), []);
  });

  it('finds level and p_idx in one pass, wherever they are and however quoted', () => {
    const cases: [string, string | null, string | null][] = [
      ['{"name":"x","args":{"level":"3","fname":"a\\"b","p_idx":-1}}', '3', '-1'],
      ['{"args":{"p_idx":"12","q":"level","level":7}}', '7', '12'],
      ['{"args":{"x":"level:","level":  5 ,"p_idx" : 9}}', '5', '9'],
      ['{"name":"level","args":{"fname":"p_idx"}}', null, null],
    ];
    for (const [line, level, pIdx] of cases) {
      const b = Buffer.from(line);
      const o = new Int32Array(4);
      keyTokens(b, 0, b.length, Buffer.from('level'), Buffer.from('p_idx'), o);
      assert.deepEqual(
        [o[0] >= 0 ? line.slice(o[0], o[1]) : null, o[2] >= 0 ? line.slice(o[2], o[3]) : null],
        [level, pIdx],
        line,
      );
    }
    const big = Buffer.from('"-9223372036854775808" 9223372036854775808 12.6 null');
    assert.equal(int64Token(big, 1, 21), -9223372036854775808n);
    assert.equal(int64Token(big, 23, 42), null); // beyond int64: null, never a wrapped or rounded value
    assert.equal(int64Token(big, 43, 47), 13);
    assert.equal(int64Token(big, 48, 52), null);
  });

  it('names outputs after their trace files, and apart when two share a name', () => {
    assert.deepEqual(parquetNames(['/r/a/trace-1.pfw.gz', '/r/b/trace-1.pfw', '/r/.trace-2-of-4.pfw']), [
      'trace-1-0.parquet',
      'trace-1-1.parquet',
      'trace-2-of-4.parquet',
    ]);
  });
});
