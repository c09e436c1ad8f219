import { strict as assert } from 'node:assert';
import { eventsHeader } from '../../src/cli/format';
import { commonFolder, disjointSpanGroups } from '../../src/cli/span-groups';

describe('dftrace CLI helpers', () => {
  it('groups files whose time spans overlap, and only those', () => {
    const g = disjointSpanGroups([
      { path: '/r2/a.pfw', tsMin: 500, tsMax: 600 },
      { path: '/r1/a.pfw', tsMin: 0, tsMax: 100 },
      { path: '/r1/b.pfw', tsMin: 50, tsMax: 150 },
      { path: '/r1/c.pfw', tsMin: 150, tsMax: 160 }, // touches: still the same run
      { path: '/r3/empty.pfw', tsMin: NaN, tsMax: NaN }, // no events: no span
    ]);
    assert.deepEqual(
      g.map((x) => [x.files, x.tsMin, x.tsMax]),
      [
        [['/r1/a.pfw', '/r1/b.pfw', '/r1/c.pfw'], 0, 160],
        [['/r2/a.pfw'], 500, 600],
      ],
    );
    assert.equal(disjointSpanGroups([]).length, 0);
  });

  it('names the folder a group lives in', () => {
    assert.equal(commonFolder(['/t/run/a.pfw', '/t/run/sub/b.pfw']), '/t/run');
    assert.equal(commonFolder(['/t/run1/a.pfw', '/t/run2/b.pfw']), '/t');
    assert.equal(commonFolder(['/a.pfw', '/b/c.pfw']), '/');
  });

  it('events header counts what it shows', () => {
    assert.equal(
      eventsHeader({ file: '/f', total: 856, shown: 5, slowest: 5 }),
      '5 slowest of 856 events on /f',
    );
    assert.equal(
      eventsHeader({ file: '/f', op: 'write', total: 1200, shown: 200 }),
      'first 200 of 1,200 write events on /f in time order (--limit N for more)',
    );
    assert.equal(eventsHeader({ file: '/f', total: 1, shown: 1 }), '1 event on /f, in time order');
    assert.equal(eventsHeader({ file: '/f', op: 'read', total: 0, shown: 0 }), 'no read events on /f');
  });
});
