import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_TIERS, tierOf } from '../../src/engine/compare/tiers';

// The CLI's default tiers are DEFAULT_TIERS; the extension's are the `dftrace.storageTiers` default VS Code reads
// from package.json. One table: the two must not drift apart again.
describe('default storage tiers', () => {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8'));

  it("package.json's dftrace.storageTiers default equals the engine's DEFAULT_TIERS", () => {
    const setting = pkg.contributes.configuration.properties['dftrace.storageTiers'];
    assert.deepEqual(setting.default, DEFAULT_TIERS);
  });

  it('the README settings table lists the same patterns in the same order', () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith('| `dftrace.storageTiers` |'));
    assert.ok(row, 'README has the storageTiers row');
    const listed = [...row.split('|')[2].matchAll(/`([^`]+)` ([^,|]+)/g)].map((m) => ({
      pattern: m[1],
      label: m[2].trim(),
    }));
    assert.deepEqual(listed, DEFAULT_TIERS);
  });

  it('classifies the paths of the real traces and the SCR experiment', () => {
    assert.equal(tierOf('/l/ssd/user/scr.dataset.1/rank_0.pt', DEFAULT_TIERS), 'SSD');
    assert.equal(tierOf('/var/tmp/u/scr.defjobid/scr.dataset.3/ckpt', DEFAULT_TIERS), 'SSD');
    assert.equal(tierOf('/p/lustre3/u/ckpt/layer-1.pt', DEFAULT_TIERS), 'PFS');
    assert.equal(tierOf('/p/gpfs1/u/data.npz', DEFAULT_TIERS), 'PFS');
    assert.equal(tierOf('/lus/grand/projects/x/data/img_1.npz', DEFAULT_TIERS), 'PFS');
    assert.equal(tierOf('/eagle/proj/x.h5', DEFAULT_TIERS), 'PFS');
    assert.equal(tierOf('/dev/shm/x', DEFAULT_TIERS), 'tmpfs');
    assert.equal(tierOf('/tmp/x', DEFAULT_TIERS), 'local tmp');
    assert.equal(tierOf('/home/u/x', DEFAULT_TIERS), 'other');
  });
});
