import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateScrExperiment } from '../../src/synth/scr-runs';
import { traceFolder } from '../engine/shared-traces';

const CLI = resolve(__dirname, '../../dist/cli.js');

function dftrace(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('dftrace CLI', () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(join(tmpdir(), 'dftrace-cli-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('summarize --json has the contract fields', () => {
    const r = dftrace('summarize', traceFolder('posix-2023'), '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j.files[0]).slice(0, 6), [
      'path',
      'events',
      'metadata',
      'counters',
      'badLines',
      'truncated',
    ]);
    for (const k of ['events', 'metadata', 'counters', 'badLines', 'tsMin', 'tsMax'])
      assert.ok(k in j.totals, k);
    assert.equal(j.totals.events, 1012);
    assert.equal(typeof j.categories.POSIX, 'number');
    const row = j.ops[0];
    for (const k of ['file', 'cat', 'op', 'count', 'bytes', 'durUs']) assert.ok(k in row, k);
    assert.equal(
      j.ops.reduce((a: number, o: { count: number }) => a + o.count, 0),
      j.categories.POSIX + (j.categories.STDIO ?? 0),
    );
  });

  it('summarize prints a readable table with bad lines explained, exit 0', () => {
    const r = dftrace('summarize', traceFolder('dlio-prototype-2023'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /events 446 .*bad lines 258/);
    assert.match(r.out, /line \d+: trailing comma in an object/);
  });

  it('events lists the calls on one file, slowest first with --slowest', () => {
    const sum = JSON.parse(dftrace('summarize', traceFolder('dlio-pytorch-2023'), '--json').out);
    const top = [...sum.ops].sort((a, b) => b.count - a.count)[0];
    const r = dftrace(
      'events',
      traceFolder('dlio-pytorch-2023'),
      '--file',
      top.file,
      '--op',
      top.op,
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.total, top.count);
    const slow = JSON.parse(
      dftrace('events', traceFolder('dlio-pytorch-2023'), '--file', top.file, '--slowest', '3', '--json').out,
    );
    assert.equal(slow.events.length, 3);
    assert.ok(slow.events[0].dur >= slow.events[1].dur && slow.events[1].dur >= slow.events[2].dur);
  });

  it('exit 1 when nothing is readable, with a message and no stack trace', () => {
    const empty = join(tmp, 'empty.pfw');
    writeFileSync(empty, '');
    for (const args of [
      ['summarize', join(tmp, 'missing')],
      ['summarize', empty],
    ]) {
      const r = dftrace(...args);
      assert.equal(r.code, 1);
      assert.match(r.err, /dftrace: /);
      assert.doesNotMatch(r.err, /\n\s+at /);
    }
  });

  it('exit 2 on usage errors', () => {
    assert.equal(dftrace('frobnicate').code, 2);
    assert.equal(dftrace('summarize').code, 2);
    assert.equal(dftrace('summarize', '--bogus', traceFolder('toy-2024')).code, 2);
    assert.equal(dftrace('events', traceFolder('toy-2024')).code, 2);
    assert.equal(dftrace('--help').code, 0);
  });

  it('one broken file never fails the run', () => {
    const dir = join(tmp, 'run');
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(
      join(dir, 'a.pfw'),
      '[\n{"id":1,"name":"write","cat":"POSIX","pid":1,"tid":1,"ts":5,"dur":2}\n',
    );
    writeFileSync(join(dir, 'b.pfw.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff]));
    const r = dftrace('summarize', dir, '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.totals.events, 1);
    const broken = j.files.find((f: { path: string }) => f.path.endsWith('b.pfw.gz'));
    assert.equal(broken.truncated, true);
    assert.ok(broken.problems.length > 0);
  });

  it('compare prints the baseline-vs-SCR metrics as JSON, Markdown or CSV', () => {
    const exp = generateScrExperiment(join(tmp, 'scr'), { variants: ['baseline', 'scr-noflush'] });
    const [base, scr] = exp.runs.map((r) => r.folder);
    const r = dftrace('compare', base, scr, '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const rows: { key: string; values: number[] }[] = j.rows;
    const checkpoint = rows.find((m) => m.key === 'checkpointTime');
    assert.ok(checkpoint, 'a checkpoint time row');
    assert.deepEqual(checkpoint.values, [exp.runs[0].checkpointUs, exp.runs[1].checkpointUs]);
    assert.match(
      dftrace('compare', base, scr, '--markdown').out,
      /\| Checkpoint time \(max over processes\) \|/,
    );
    assert.match(
      dftrace('compare', base, scr, '--csv').out,
      /^key,label,unit,approximate,baseline,scr-noflush,/,
    );
    assert.equal(dftrace('compare', base).code, 2);
  });
});
