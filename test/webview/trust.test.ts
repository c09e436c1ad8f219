// The pure parts behind issue 15's UI points: tier colours, tree labels, the system-file filter, path cutting and
// the slow-write rule. (The views themselves are asserted in test/ui/trust.spec.mjs.)
import * as assert from 'node:assert/strict';
import type { RunSummary } from '../../src/engine';
import { slowThreshold } from '../../src/runs/answers';
import { shortestUniqueSuffixes } from '../../src/views/path-labels';
import { DEFAULT_SYSTEM_PATTERNS, systemMatcher } from '../../src/views/system-files';
import { OP_COLORS, tierColorId } from '../../src/views/tier-palette';
import { middleEllipsis } from '../../webview/common/paths';

describe('one tier palette', () => {
  it('gives a tier its colour by name, whatever order the tiers come in', () => {
    assert.equal(tierColorId('PFS', ['SSD', 'PFS']), tierColorId('PFS', ['PFS']));
    assert.equal(tierColorId('PFS'), 'charts.blue');
    assert.notEqual(tierColorId('SSD'), tierColorId('PFS'));
    // red is for slow writes only
    for (const t of ['PFS', 'SSD', 'tmpfs', 'local tmp', 'other', 'burst buffer', 'nvme'])
      assert.notEqual(tierColorId(t), 'charts.red');
  });
  it('has distinct op colours', () => {
    assert.equal(new Set(OP_COLORS).size, OP_COLORS.length);
  });
});

describe('tree labels', () => {
  it('are the shortest suffix no other file shares', () => {
    const files = ['/a/ckpt/0/properties', '/a/ckpt/1/properties', '/a/data/train.bin', '/b/x/1/properties'];
    const labels = shortestUniqueSuffixes(files);
    assert.equal(labels.get('/a/data/train.bin'), 'train.bin');
    assert.equal(labels.get('/a/ckpt/0/properties'), '0/properties');
    assert.equal(labels.get('/a/ckpt/1/properties'), 'ckpt/1/properties');
    assert.equal(labels.get('/b/x/1/properties'), 'x/1/properties');
    assert.equal(new Set(labels.values()).size, files.length);
  });
});

describe('system files', () => {
  const isSystem = systemMatcher(DEFAULT_SYSTEM_PATTERNS);
  it('are /proc, /sys, /dev, /etc, /usr and shared libraries, but not /dev/shm', () => {
    for (const f of [
      '/proc/cpuinfo',
      '/sys/class/infiniband/mlx5_0/ports/1/state',
      '/dev/infiniband/uverbs0',
      '/etc/hosts',
      '/usr/share/zoneinfo/UTC',
      '/opt/openmpi/lib/libmpi.so.40',
      '/p/lustre1/u/lib/libfoo.so',
    ])
      assert.ok(isSystem(f), f);
    for (const f of [
      '/dev/shm/scr.defjobid/ckpt.0',
      '/p/lustre1/u/run/ckpt.pt',
      '/tmp/a.dat',
      '',
      '/p/x/sonic.dat',
    ])
      assert.ok(!isSystem(f), f);
  });
});

describe('long paths', () => {
  it('are cut in the middle, keeping the mount point and the file name', () => {
    const a = middleEllipsis('/usr/lib/x86_64-linux-gnu/openmpi/lib/openmpi3/libmca_common_ucx.so.40', 48);
    const b = middleEllipsis('/usr/lib/x86_64-linux-gnu/openmpi/lib/openmpi3/libmca_common_ompio.so.41', 48);
    assert.equal(a.length, 48);
    assert.ok(a.startsWith('/usr/') && a.endsWith('libmca_common_ucx.so.40'), a);
    assert.notEqual(a, b);
    assert.equal(middleEllipsis('/short/path', 48), '/short/path');
  });
});

describe('slow writes', () => {
  const run = (dur: number[]) => ({ writes: { dur: Float64Array.from(dur) } }) as unknown as RunSummary;
  const s = { tiers: [], slowPercentile: 99, slowThresholdUs: 0 };
  it('are none when every write takes as long: write times are uniform', () => {
    const t = slowThreshold(run(Array(4328).fill(250)), s);
    assert.ok(Number.isFinite(t.us) && t.us >= 250);
    assert.match(t.label, /write times are uniform/);
  });
  it('are strictly above a percentile that is above the median', () => {
    const d = Array.from({ length: 1000 }, (_, i) => i);
    const t = slowThreshold(run(d), s);
    assert.equal(t.us, 990);
    assert.equal(d.filter((x) => x > t.us).length, 9);
    assert.match(t.label, /^> p99/);
  });
});
