import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeTraceFiles, type RunSummary } from '../../src/engine';
import {
  diffInsights,
  nearestRank,
  runInsights,
  type InsightReport,
  type RuleId,
} from '../../src/engine/insights';
import { TraceWriter, type CompleteEventInput } from '../../src/synth/trace-writer';

const MiB = 1024 * 1024;
const TIERS = [
  { pattern: '/p/lustre*', label: 'PFS' },
  { pattern: '/l/ssd', label: 'SSD' },
];
const T0 = 1_700_000_000_000_000;

/** One event per call: a POSIX op on `file` at `ts` lasting `dur` µs, moving `ret` bytes (offset when given). */
function io(op: string, file: string, ts: number, dur: number, ret?: number, offset?: number, cat = 'POSIX') {
  const args: CompleteEventInput['args'] = { fname: file };
  if (offset !== undefined) args.offset = offset;
  if (ret !== undefined) {
    if (op === 'fwrite' || op === 'fread') {
      args.size = 1;
      args.ret = ret;
    } else args.ret = ret;
  }
  return { name: op, cat, ts, dur, args } satisfies CompleteEventInput;
}

let root: string;
let runNo = 0;
before(() => (root = mkdtempSync(join(tmpdir(), 'dft-insights-'))));
after(() => rmSync(root, { recursive: true, force: true }));

/** Writes one trace file per process (2025 format: hashed names) and summarizes them as one run. */
async function run(procs: CompleteEventInput[][], era: '2023' | '2025' = '2025'): Promise<RunSummary> {
  const dir = join(root, `run-${runNo++}`);
  mkdirSync(dir);
  const files = procs.map((events, i) => {
    const path = join(dir, `trace-${i}.pfw`);
    const w = new TraceWriter({ era, pid: 1000 + i, hostname: 'node1', gzip: false, path, lifecycle: false });
    for (const e of events) w.complete(e);
    w.close();
    return path;
  });
  return summarizeTraceFiles(files, { workers: 0 });
}

function judge(r: RunSummary, baseline?: RunSummary): InsightReport {
  return runInsights(r, { tiers: TIERS }, baseline);
}
const fires = (r: InsightReport, id: RuleId) => r.findings.some((f) => f.id === id);
const skipped = (r: InsightReport, id: RuleId) => r.notEvaluated.find((n) => n.id === id)?.reason;

function calls(n: number, make: (i: number) => CompleteEventInput): CompleteEventInput[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

describe('insights: the rules at their thresholds', () => {
  it('nearest rank is position ceil(p·n), exact at p99 of 100 values', () => {
    const hist = Float64Array.from([10, 98, 100, 1, 101, 1]);
    assert.equal(nearestRank(hist, 99), 100);
    assert.equal(nearestRank(hist, 50), 10);
    assert.equal(nearestRank(hist, 100), 101);
    assert.ok(Number.isNaN(nearestRank(new Float64Array(0), 50)));
  });

  for (const [id, op] of [
    ['small-writes', 'write'],
    ['small-reads', 'read'],
  ] as const) {
    it(`${id}: > 10% of sized calls under 1 MiB and more than 1000 of them; exactly 1 MiB is not small`, async () => {
      const mk = (small: number, big: number) =>
        run([
          [
            ...calls(small, (i) => io(op, '/p/lustre/a', T0 + i * 10, 5, 4096)),
            ...calls(big, (i) => io(op, '/p/lustre/a', T0 + 1e7 + i * 10, 5, MiB)),
          ],
        ]);
      assert.ok(fires(judge(await mk(1001, 9008)), id), '1001 of 10009: just over 10%');
      assert.ok(!fires(judge(await mk(1001, 9009)), id), '1001 of 10010: exactly 10%, not more');
      assert.ok(!fires(judge(await mk(1000, 1000)), id), '50% but only 1000');
    });
  }

  it('metadata-heavy: metadata ≥ 50% of POSIX+STDIO time and ≥ 1 s', async () => {
    const mk = (metaUs: number, dataUs: number) =>
      run([[io('stat', '/p/lustre/a', T0, metaUs), io('read', '/p/lustre/a', T0 + 1e7, dataUs, 10)]]);
    assert.ok(fires(judge(await mk(1_000_000, 1_000_000)), 'metadata-heavy'));
    assert.ok(!fires(judge(await mk(1_000_000, 1_000_001)), 'metadata-heavy'), 'just under half');
    assert.ok(!fires(judge(await mk(999_999, 1)), 'metadata-heavy'), 'under 1 s');
  });

  it('rank-imbalance: max ≥ 2× the (nearest-rank) median and ≥ 1 s; needs two processes', async () => {
    const mk = (us: number[]) => run(us.map((d) => [io('write', '/p/lustre/a', T0, d, 10)]));
    assert.ok(fires(judge(await mk([500_000, 500_000, 1_000_000])), 'rank-imbalance'));
    assert.ok(!fires(judge(await mk([500_001, 500_001, 1_000_000])), 'rank-imbalance'), 'under 2×');
    assert.ok(!fires(judge(await mk([499_999, 499_999, 999_999])), 'rank-imbalance'), 'under 1 s');
    // median of four by nearest rank is the 2nd value
    assert.ok(fires(judge(await mk([100, 600_000, 900_000, 1_200_000])), 'rank-imbalance'));
    assert.match(skipped(judge(await mk([5_000_000])), 'rank-imbalance') ?? '', /needs 2/);
  });

  it('stdio-heavy: STDIO data bytes > 10% of data bytes and ≥ 1 MiB', async () => {
    const mk = (stdio: number, posix: number) =>
      run([
        [
          io('fwrite', '/p/lustre/a', T0, 5, stdio, undefined, 'STDIO'),
          io('write', '/p/lustre/b', T0 + 9, 5, posix),
        ],
      ]);
    assert.ok(fires(judge(await mk(MiB, 8 * MiB)), 'stdio-heavy'));
    assert.ok(!fires(judge(await mk(MiB, 9 * MiB)), 'stdio-heavy'), '10% exactly');
    assert.ok(!fires(judge(await mk(MiB - 1, 1)), 'stdio-heavy'), 'under 1 MiB');
  });

  it('slow-write-tail: at least 100 writes and p99 > 10× the median (exact durations)', async () => {
    const mk = (n: number, tail: number, slow = 2) =>
      run([calls(n, (i) => io('write', '/p/lustre/a', T0 + i * 1000, i < n - slow ? 10 : tail, 10))]);
    assert.ok(fires(judge(await mk(100, 101)), 'slow-write-tail'));
    assert.ok(!fires(judge(await mk(100, 100)), 'slow-write-tail'), 'p99 = 10× the median');
    assert.ok(!fires(judge(await mk(99, 5_000)), 'slow-write-tail'), '99 writes');
    // past the flat histogram (16,384 µs) durations are still exact
    const big = await run([
      calls(100, (i) => io('write', '/p/lustre/a', T0 + i * 1e6, i < 98 ? 20_000 : 200_001, 10)),
    ]);
    assert.ok(fires(judge(big), 'slow-write-tail'));
    const edge = await run([
      calls(100, (i) => io('write', '/p/lustre/a', T0 + i * 1e6, i < 98 ? 20_000 : 200_000, 10)),
    ]);
    assert.ok(!fires(judge(edge), 'slow-write-tail'));
  });

  it('checkpoint-share: checkpoint time (as in compare) ≥ 20% of wall time; no checkpoint events: not evaluated', async () => {
    const mk = (ckptUs: number) =>
      run([
        [
          io('write', '/p/lustre/a', T0, 10, 10),
          { name: 'PyTorchCheckpointing.checkpoint', cat: 'checkpoint', ts: T0 + 1_000, dur: ckptUs },
          io('write', '/p/lustre/a', T0 + 10_000_000 - 10, 10, 10),
        ],
      ]);
    assert.ok(fires(judge(await mk(2_000_000)), 'checkpoint-share'));
    assert.ok(!fires(judge(await mk(1_999_999)), 'checkpoint-share'));
    const none = await run([[io('write', '/p/lustre/a', T0, 10, 10)]]);
    assert.match(skipped(judge(none), 'checkpoint-share') ?? '', /no checkpoint events/);
  });

  const cache = '/l/ssd/u/scr.defjobid/scr.dataset.1/model.pt';
  const pfs = '/p/lustre/u/ckpt/model.pt';

  it('SCR run detection: scr.defjobid, scr.dataset, /.scr/ or a name ending in .scr', async () => {
    for (const path of [
      '/x/scr.defjobid/f',
      '/x/scr.dataset.3/f',
      '/p/lustre/u/.scr/f',
      '/p/lustre/u/index.scr',
    ]) {
      const r = judge(await run([[io('write', path, T0, 5, 10)]]));
      assert.equal(r.scrRun, true, path);
    }
    const plain = judge(await run([[io('write', '/p/lustre/u/scr/file.scratch', T0, 5, 10)]]));
    assert.equal(plain.scrRun, false);
    assert.match(skipped(plain, 'scr-sync-flush') ?? '', /not an SCR run/);
  });

  it('scr-sync-flush: ≥ 50% of PFS write time inside checkpoints of the same pid and tid', async () => {
    const mk = (insideUs: number, outsideUs: number, tid?: number) =>
      run([
        [
          io('write', cache, T0, 100, MiB),
          { ...io('write', pfs, T0 + 1_000, insideUs, MiB), tid },
          { name: 'PyTorchCheckpointing.checkpoint', cat: 'checkpoint', ts: T0 + 500, dur: 2_000_000 },
          { ...io('write', pfs, T0 + 5_000_000, outsideUs, MiB), tid: 7 },
        ],
      ]);
    const r = judge(await mk(500_000, 500_000));
    assert.ok(fires(r, 'scr-sync-flush'));
    const f = r.findings.find((x) => x.id === 'scr-sync-flush')!;
    assert.match(f.recommendation, /SCR_FLUSH_ASYNC=1/);
    assert.match(f.recommendation, /SCR_FLUSH_TYPE=PTHREAD/);
    assert.equal(f.examples.length, 1);
    assert.ok(!fires(judge(await mk(499_999, 500_000)), 'scr-sync-flush'));
    // a write inside the span's time but by another thread is not inside
    assert.ok(!fires(judge(await mk(500_000, 500_000, 9)), 'scr-sync-flush'));
  });

  it('scr-small-copy-buffer: ≥ 100 PFS writes and ≥ 50% of them ≤ 1 MiB', async () => {
    const mk = (small: number, big: number) =>
      run([
        [
          io('write', cache, T0, 100, 8 * MiB),
          ...calls(small, (i) => io('write', pfs, T0 + 1000 + i, 1, MiB)),
          ...calls(big, (i) => io('write', pfs, T0 + 100_000 + i, 1, MiB + 1)),
        ],
      ]);
    const r = judge(await mk(50, 50));
    assert.ok(fires(r, 'scr-small-copy-buffer'));
    assert.match(
      r.findings.find((f) => f.id === 'scr-small-copy-buffer')!.recommendation,
      /SCR_FILE_BUF_SIZE=/,
    );
    assert.ok(!fires(judge(await mk(49, 51)), 'scr-small-copy-buffer'));
    assert.ok(!fires(judge(await mk(99, 0)), 'scr-small-copy-buffer'), '99 writes');
  });

  it('scr-cache-slower-than-pfs: cache bandwidth below the baseline’s PFS bandwidth; needs a baseline', async () => {
    const base = await run([[io('write', pfs, T0, 1_000_000, 100 * MiB)]]);
    const mk = (us: number) =>
      run([[io('write', cache, T0, us, 100 * MiB), io('write', pfs, T0 + 2e6, 10, MiB)]]);
    assert.ok(fires(judge(await mk(1_000_001), base), 'scr-cache-slower-than-pfs'));
    assert.ok(!fires(judge(await mk(1_000_000), base), 'scr-cache-slower-than-pfs'), 'equal bandwidth');
    assert.match(skipped(judge(await mk(2_000_000)), 'scr-cache-slower-than-pfs') ?? '', /needs a baseline/);
  });

  it('random-access: > 20% of offset-judged calls go backwards and more than 1000', async () => {
    // n forward reads, then `back` reads each at offset 0 (before the previous end)
    const mk = (forward: number, back: number) =>
      run([
        [
          ...calls(forward, (i) => io('pread', '/p/lustre/d', T0 + i, 1, 100, i * 100)),
          ...calls(back, (i) => io('pread', '/p/lustre/d', T0 + 1e6 + i, 1, 100, 0)),
        ],
      ]);
    // judged = all but the first call
    assert.ok(fires(judge(await mk(4000, 1001)), 'random-access'), '1001 of 5000');
    assert.ok(!fires(judge(await mk(4001, 1000)), 'random-access'), 'only 1000');
    assert.ok(!fires(judge(await mk(4005, 1001)), 'random-access'), '1001 of 5005 (under 20%)');
    const noOffsets = judge(await run([[io('read', '/p/lustre/d', T0, 1, 100)]]));
    assert.match(skipped(noOffsets, 'random-access') ?? '', /offset/);
  });

  it('shared-file-imbalance: (most − fewest) ÷ most > 15% on a file of ≥ 1 MiB moved by ≥ 2 processes', async () => {
    const mk = (a: number, b: number) =>
      run([[io('read', '/p/lustre/shared', T0, 5, a)], [io('read', '/p/lustre/shared', T0, 5, b)]]);
    assert.ok(fires(judge(await mk(1_000_000, 849_999)), 'shared-file-imbalance'));
    assert.ok(!fires(judge(await mk(1_000_000, 850_000)), 'shared-file-imbalance'), '15% exactly');
    assert.ok(!fires(judge(await mk(500_000, 10)), 'shared-file-imbalance'), 'under 1 MiB moved');
  });

  it('redundant-writes: bytes written with offsets exceed the furthest byte by ≥ 1 MiB', async () => {
    const mk = (again: number) =>
      run([
        [io('pwrite', '/p/lustre/r', T0, 5, 4 * MiB, 0), io('pwrite', '/p/lustre/r', T0 + 9, 5, again, 0)],
      ]);
    assert.ok(fires(judge(await mk(MiB)), 'redundant-writes'));
    assert.ok(!fires(judge(await mk(MiB - 1)), 'redundant-writes'));
    const plain = judge(await run([[io('write', '/p/lustre/r', T0, 5, 4 * MiB)]]));
    assert.match(skipped(plain, 'redundant-writes') ?? '', /offset/);
  });

  it('a trace without args: size, offset and file rules are not evaluated, never silently passed', async () => {
    const dir = join(root, 'noargs');
    mkdirSync(dir);
    const path = join(dir, 't.pfw');
    const w = new TraceWriter({ era: '2025', pid: 1, hostname: 'h', gzip: false, path, lifecycle: false });
    for (let i = 0; i < 2000; i++) w.complete({ name: 'write', cat: 'POSIX', ts: T0 + i, dur: 1 });
    w.close();
    // the writer always adds hhash: strip args entirely by reading a copy without them
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/,"args":\{[^}]*\}/g, ''));
    const r = judge(await summarizeTraceFiles([path], { workers: 0 }));
    for (const id of [
      'small-writes',
      'small-reads',
      'stdio-heavy',
      'random-access',
      'redundant-writes',
    ] as const)
      assert.match(skipped(r, id) ?? '', /without args/, id);
    assert.equal(r.findings.length + r.notEvaluated.length + r.passed.length, 13, 'every rule accounted for');
  });

  it('findings come worst first and each has at most five examples with trace file and line', async () => {
    const r = judge(
      await run([
        [
          ...calls(2000, (i) => io('write', '/p/lustre/a', T0 + i * 10, 5, 10)),
          { name: 'PyTorchCheckpointing.checkpoint', cat: 'checkpoint', ts: T0, dur: 20_000 },
        ],
      ]),
    );
    assert.deepEqual(
      r.findings.map((f) => f.id),
      ['small-writes', 'checkpoint-share'],
    );
    for (const f of r.findings) {
      assert.ok(f.examples.length > 0 && f.examples.length <= 5);
      for (const x of f.examples) assert.ok(x.trace.endsWith('.pfw') && x.line > 0);
    }
  });
});

describe('insights: the comparison’s rule diff', () => {
  it('says per rule whether it fired in both, cleared, is new, or stayed quiet', async () => {
    const base = await run([calls(2000, (i) => io('write', '/p/lustre/a', T0 + i * 10, 5, 10))]);
    const other = await run([
      [
        ...calls(2000, (i) => io('write', '/p/lustre/a', T0 + i * 10, 5, MiB)),
        ...calls(1001, (i) => io('read', '/p/lustre/a', T0 + 1e6 + i, 5, 10)),
      ],
    ]);
    const rows = diffInsights(judge(base), judge(other));
    const change = (id: RuleId) => rows.find((r) => r.id === id)!.change;
    assert.equal(change('small-writes'), 'cleared');
    assert.equal(change('small-reads'), 'new');
    assert.equal(change('metadata-heavy'), 'quiet');
    assert.equal(change('checkpoint-share'), 'notEvaluated');
    const sw = rows.find((r) => r.id === 'small-writes')!;
    assert.equal(sw.baseline.state, 'fired');
    assert.equal(sw.other.state, 'passed');
    assert.ok(
      sw.other.evidence.some((e) => e.key === 'share' && e.value === 0),
      'evidence on both sides',
    );
    assert.equal(rows.length, 13);
  });
});
