import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { generateBenchTrace } from '../../src/synth/bench-trace';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { haveSharedTraces, traceFolder } from './shared-traces';

const CLI = resolve(__dirname, '../../dist/cli.js');

function dftrace(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('dftrace export, summarize --shard, merge (the CLI)', () => {
  let tmp: string;
  before(function () {
    if (!existsSync(CLI) || !haveSharedTraces()) this.skip();
    tmp = mkdtempSync(join(tmpdir(), 'dftrace-export-cli-'));
  });
  after(() => tmp && rmSync(tmp, { recursive: true, force: true }));

  it('merge --json of 3 shards prints exactly what summarize --json prints', function () {
    this.timeout(600_000);
    // a run of several files of different sizes and eras (each shard gets some)
    const run = join(tmp, 'run');
    mkdirSync(run);
    [6000, 800, 3000, 1500, 400, 2500].forEach((events, i) =>
      generateBenchTrace(join(run, `trace-${i}-of-6.pfw.gz`), {
        events,
        seed: 70 + i,
        era: i % 2 ? '2025' : '2023',
        gzip: true,
      }),
    );
    const whole = dftrace('summarize', run, '--json');
    assert.equal(whole.code, 0, whole.err);
    const parts = [1, 2, 3].map((i) => {
      const p = join(tmp, `part-${i}.json`);
      const r = dftrace('summarize', run, '--shard', `${i}/3`, '--out', p);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, new RegExp(`shard ${i}/3: \\d+ of 6 trace files`));
      return p;
    });
    const merged = dftrace('merge', ...parts, '--json');
    assert.equal(merged.code, 0, merged.err);
    assert.equal(merged.out, whole.out);
    const missing = dftrace('merge', parts[0], parts[2]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /^dftrace: shard 2 of 3 missing/);
    assert.equal(dftrace('summarize', run, '--shard', '4/3', '--out', join(tmp, 'x.json')).code, 2);
  });

  it('export writes one Parquet file per trace file and says what it wrote', () => {
    const out = join(tmp, 'pq');
    const r = dftrace('export', traceFolder('resnet50-v1.0.15-2025'), '--parquet', out);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^1 Parquet files, 74,362 events, /);
    assert.deepEqual(readdirSync(out), ['test-trace.parquet']);
    assert.equal(dftrace('export', traceFolder('toy-2024')).code, 2);
  });
});
