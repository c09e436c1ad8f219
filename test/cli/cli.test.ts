import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateScrExperiment } from '../../src/synth/scr-runs';
import { traceFolder } from '../engine/shared-traces';

const CLI = resolve(__dirname, '../../dist/cli.js');

function dftrace(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
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

  it('exit 2 on usage errors: one line and a hint on stderr, nothing on stdout', () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['summarize'],
      ['summarize', '--bogus', traceFolder('toy-2024')],
      ['events', traceFolder('toy-2024')],
      ['summarize', traceFolder('toy-2024'), '--pretty'],
      ['compare', traceFolder('toy-2024'), traceFolder('toy-2024'), '--tiers', 'nolabel'],
    ]) {
      const r = dftrace(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.out, '', args.join(' '));
      assert.match(r.err, /^dftrace: [^\n]+\nTry 'dftrace --help' for usage\.\n$/, args.join(' '));
    }
  });

  it('--help prints the usage to stdout with exit 0', () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = dftrace(flag);
      assert.equal(r.code, 0);
      assert.equal(r.err, '');
      assert.match(r.out, /^dftrace .*\n\nUsage:\n {2}dftrace summarize/);
    }
    assert.match(dftrace('summarize', '--help').out, /Exit codes:/);
  });

  it('--json is one document, indented with --pretty, with warnings on stderr only', () => {
    // two unrelated runs: a warning, but stdout stays one JSON document
    const args = ['summarize', traceFolder('toy-2024'), traceFolder('posix-2023'), '--json'];
    const plain = dftrace(...args);
    const pretty = dftrace(...args, '--pretty');
    assert.equal(plain.code, 0, plain.err);
    assert.equal(plain.out.trimEnd().split('\n').length, 1);
    assert.ok(pretty.out.startsWith('{\n  "files": ['), pretty.out.slice(0, 40));
    assert.deepEqual(JSON.parse(pretty.out), JSON.parse(plain.out));
    assert.match(plain.err, /warning: .* 2 groups whose time spans do not overlap/);
  });

  it('warns when the files given are unrelated runs (time spans that do not overlap), not for one run', () => {
    const r = dftrace('summarize', traceFolder('toy-2024'), traceFolder('dlio-pytorch-2023'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /the trace files under .* form 2 groups whose time spans do not overlap/);
    assert.match(r.err, /1 file in .*dlio-pytorch-2023: .* from 2023-10-26T/);
    for (const one of ['polaris-8ranks-2024', 'dlio-prototype-2023', 'toy-2024']) {
      const s = dftrace('summarize', traceFolder(one), '--json');
      assert.equal(s.code, 0, s.err);
      assert.doesNotMatch(s.err, /warning/, one);
    }
  });

  it('events says what it lists: "N slowest of M events", never a count of something else', () => {
    const run = traceFolder('dlio-pytorch-2023');
    const sum = JSON.parse(dftrace('summarize', run, '--json').out);
    const top = [...sum.ops].sort((a, b) => b.count - a.count)[0];
    const total = sum.ops
      .filter((o: { file: string }) => o.file === top.file)
      .reduce((a: number, o: { count: number }) => a + o.count, 0);
    const slow = dftrace('events', run, '--file', top.file, '--slowest', '5');
    assert.equal(slow.code, 0, slow.err);
    const lines = slow.out.trimEnd().split('\n');
    assert.equal(lines[0], `5 slowest of ${total.toLocaleString('en-US')} events on ${top.file}`);
    assert.equal(lines.length, 1 + 2 + 5); // header, column names and rule, 5 events
    const ops = dftrace('events', run, '--file', top.file, '--op', top.op, '--limit', '3');
    assert.match(
      ops.out.split('\n')[0],
      new RegExp(`^first 3 of ${top.count.toLocaleString('en-US')} ${top.op} events on .* in time order`),
    );
    const none = dftrace('events', run, '--file', top.file, '--op', 'fsync');
    assert.equal(none.out, `no fsync events on ${top.file}\n`);
  });

  it("compare's default tiers are the extension's: Polaris' /lus paths are PFS, not other", () => {
    const run = traceFolder('polaris-8ranks-2024');
    const r = dftrace('compare', run, run, '--json', '--cache-dir', join(tmp, 'cache'));
    assert.equal(r.code, 0, r.err);
    const rows: { key: string; label: string; values: number[] }[] = JSON.parse(r.out).rows;
    const pfsBytes = rows.find((m) => /bytes on PFS/.test(m.label));
    assert.ok(pfsBytes, rows.map((m) => m.label).join('; '));
    assert.ok(pfsBytes.values[0] > 100 * 2 ** 30, String(pfsBytes.values[0]));
    assert.ok(!rows.some((m) => /on other/.test(m.label)), 'no "other" tier');
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
