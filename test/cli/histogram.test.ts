// `dftrace histogram`: its percentiles and counts against a naive JSON.parse reading of the same trace.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { traceFiles, traceFolder } from '../engine/shared-traces';

const CLI = resolve(__dirname, '../../dist/cli.js');

function dftrace(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Durations and `ret` of one op, read the slow, obvious way. */
function naive(folder: string, op: string): { dur: number[]; ret: number[] } {
  const dur: number[] = [];
  const ret: number[] = [];
  for (const f of traceFiles(folder)) {
    const buf = readFileSync(f);
    const text = (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString('utf8');
    for (const raw of text.split('\n')) {
      const line = raw.trim().replace(/,$/, '');
      if (!line.startsWith('{')) continue;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (o.name !== op || (o.ph !== undefined && o.ph !== 'X' && o.ph !== 1)) continue;
      dur.push(Number(o.dur) > 0 ? Number(o.dur) : 0);
      const r = Number((o.args as Record<string, unknown> | undefined)?.ret);
      ret.push(r > 0 ? r : 0);
    }
  }
  return { dur, ret };
}

const rank = (v: number[], p: number) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1];
};

describe('dftrace histogram', () => {
  it('--json has p50, p90, p99 equal to nearest-rank percentiles of a naive reading', () => {
    const r = dftrace('histogram', traceFolder('dlio-pytorch-2023'), '--op', 'read', '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const want = naive('dlio-pytorch-2023', 'read');
    assert.equal(j.count, want.dur.length);
    assert.ok(j.count > 1000);
    assert.equal(j.p50, rank(want.dur, 50));
    assert.equal(j.p90, rank(want.dur, 90));
    assert.equal(j.p99, rank(want.dur, 99));
    assert.equal(j.duration.p95, rank(want.dur, 95));
    assert.equal(j.size.p50, rank(want.ret, 50));
    assert.equal(j.size.max, Math.max(...want.ret));
    assert.equal(
      j.duration.bins.reduce((a: number, b: { count: number }) => a + b.count, 0),
      want.dur.length,
    );
  });

  it('prints a table, says when the op never ran, and needs --op', () => {
    const t = dftrace('histogram', traceFolder('posix-2023'), '--op', 'write');
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /write duration: [\d,]+ calls, p50 .* p99/);
    const none = dftrace('histogram', traceFolder('posix-2023'), '--op', 'no_such_op', '--json');
    assert.equal(none.code, 0);
    assert.equal(JSON.parse(none.out).count, 0);
    assert.equal(JSON.parse(none.out).p50, null);
    const usage = dftrace('histogram', traceFolder('posix-2023'));
    assert.equal(usage.code, 2);
    assert.match(usage.err, /needs --op/);
  });
});
