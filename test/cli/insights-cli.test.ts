import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateScrExperiment } from '../../src/synth/scr-runs';

const CLI = resolve(__dirname, '../../dist/cli.js');

function dftrace(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, args[0], '--workers', '1', ...args.slice(1)], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('dftrace insights', () => {
  let tmp: string;
  let folders: Record<string, string>;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'dftrace-ins-cli-'));
    const exp = generateScrExperiment(tmp, { era: '2025', variants: ['baseline', 'scr-bypass'] });
    folders = Object.fromEntries(exp.runs.map((r) => [r.variant, r.folder]));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('--json is {findings, notEvaluated}, exit 0 with findings; SCR advice names the knob and its default', () => {
    const r = dftrace('insights', folders['scr-bypass'], '--baseline', folders.baseline, '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['findings', 'notEvaluated']);
    const flush = j.findings.find((f: { id: string }) => f.id === 'scr-sync-flush');
    assert.ok(flush, 'bypass writes straight to Lustre inside the checkpoint');
    assert.equal(flush.severity, 'high');
    assert.match(flush.recommendation, /SCR_FLUSH_ASYNC=1 \(default 0\)/);
    for (const x of flush.examples) assert.ok(x.trace.endsWith('.pfw.gz') && x.line > 0);
    for (const f of j.findings)
      for (const k of ['id', 'severity', 'title', 'evidence', 'recommendation', 'examples'])
        assert.ok(k in f, k);
    assert.ok(j.notEvaluated.every((n: { id: string; reason: string }) => n.id && n.reason));
  });

  it('without a baseline the rule that needs one is not evaluated; the text report says why', () => {
    const r = dftrace('insights', folders['scr-bypass'], '--no-progress');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /scr-cache-slower-than-pfs: needs a baseline run/);
    assert.match(r.out, /\[HIGH\] SCR flushes/);
  });

  it('a usage error exits 2', () => {
    assert.equal(dftrace('insights').code, 2);
    assert.equal(dftrace('insights', folders.baseline, '--baseline').code, 2);
  });
});
