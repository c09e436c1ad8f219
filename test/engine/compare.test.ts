// Baseline versus SCR: the generator's experiment read by the real engine, compared by compareRuns, must show the
// figures the generator meant (src/synth/scr-runs.ts computes them from the events it wrote, not from engine code).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rowSlowest, summarizeRun, type RunSummary } from '../../src/engine';
import {
  compareRuns,
  filePattern,
  patternOps,
  patternTable,
  patternsToMarkdown,
  toCsv,
  toMarkdown,
  traceFileNames,
  type ComparisonTable,
  type MetricRow,
} from '../../src/engine/compare/metrics';
import { DEFAULT_TIERS, tierOf, type StorageTier } from '../../src/engine/compare/tiers';
import { generateScrExperiment, type ScrExperiment, type ScrRunIntent } from '../../src/synth/scr-runs';
import type { Era } from '../../src/synth/trace-writer';

const TIERS: StorageTier[] = [
  { pattern: '/p/lustre*', label: 'PFS' },
  { pattern: '/l/ssd', label: 'SSD' },
];
const SEC = 1_000_000;

/** Checkpoint time (max over processes) the documented timing model aims at, per variant, in seconds. */
const CHECKPOINT_RANGE: Record<string, [number, number]> = {
  baseline: [85, 115],
  'scr-noflush': [130, 170],
  'scr-bypass': [170, 230],
  'scr-flush': [330, 430],
};

function metric(table: ComparisonTable, key: string): MetricRow {
  const row = table.rows.find((r) => r.key === key);
  assert.ok(row, `no row ${key}; rows: ${table.rows.map((r) => r.key).join(', ')}`);
  return row;
}

/** Equal up to float rounding (sums of integers are exact; a mean is one division). */
function near(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} != ${expected}`,
  );
}

/** RFC 4180 parser, enough to check what toCsv writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  assert.equal(quoted, false, 'unterminated quote');
  assert.equal(field, '', 'text after the last line break');
  return rows;
}

/** Cells of a Markdown table line (unescaped `|` separate them). */
function mdCells(line: string): string[] {
  assert.ok(line.startsWith('| ') && line.endsWith(' |'), line);
  return line
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

function checkIntent(table: ComparisonTable, i: number, intent: ScrRunIntent): void {
  const v = (key: string) => metric(table, key).values[i];
  const what = (key: string) => `${intent.variant} ${key}`;
  assert.equal(v('wallTime'), intent.wallUs, what('wall time'));
  assert.equal(v('checkpointTime'), intent.checkpointUs, what('checkpoint time'));
  for (const tier of ['PFS', 'SSD'] as const) {
    assert.equal(v(`posixTime.${tier}`), intent.tiers[tier].timeUs, what(`POSIX time on ${tier}`));
    assert.equal(v(`posixBytes.${tier}`), intent.tiers[tier].bytes, what(`POSIX bytes on ${tier}`));
  }
  assert.equal(v('flushTime'), intent.flushUs, what('flush time'));
  assert.equal(metric(table, 'flushTime').approximate, undefined, 'every write is kept: flush time is exact');
  assert.equal(v('filesWritten'), intent.filesWritten, what('files written'));
  assert.equal(v('writeCalls'), intent.writeCalls, what('write calls'));
  near(v('meanWriteSize'), intent.meanWriteBytes, what('mean write size'));
  assert.equal(v('badLines'), 0, what('bad lines'));
}

function checkSlowWrites(run: RunSummary, intent: ScrRunIntent): void {
  assert.ok(intent.slowWrites.length > 0, 'the generator planted slow writes');
  for (const sw of intent.slowWrites) {
    const trace = run.files.findIndex((f) => f.path === sw.trace);
    assert.ok(trace >= 0, `${sw.trace} is a trace file of the run`);
    // the run's write table: the row at that trace file and line is that write
    const w = run.writes;
    let found = -1;
    for (let i = 0; i < w.length; i++) if (w.trace![i] === trace && w.line[i] === sw.line) found = i;
    assert.ok(found >= 0, `write at ${sw.trace}:${sw.line} in run.writes`);
    assert.equal(w.files[w.file[found]], sw.file);
    assert.equal(w.offset[found], sw.offset);
    assert.equal(w.ts[found], sw.ts);
    assert.equal(w.dur[found], sw.dur);
    assert.equal(w.bytes[found], sw.bytes);
    assert.equal(w.pid[found], sw.pid);
    assert.equal(w.tid[found], sw.tid);
    // the (file, write) row names it as its slowest call
    const row = run.ops.findIndex((o) => o.file === sw.file && o.op === 'write');
    assert.ok(row >= 0, `ops row for ${sw.file}`);
    const [first] = rowSlowest(run, row);
    assert.equal(first.trace, trace);
    assert.equal(first.line, sw.line);
    assert.equal(first.dur, sw.dur);
    assert.equal(first.file, sw.file);
  }
  // the planted stalls outlast every other call of the run: they head the run's slowest list
  const top = run.slowest.slice(0, intent.slowWrites.length);
  assert.deepEqual(
    top.map((c) => `${run.files[c.trace].path}:${c.line}:${c.op}`),
    intent.slowWrites.map((s) => `${s.trace}:${s.line}:write`),
  );
}

for (const era of ['2023', '2025'] as Era[]) {
  describe(`baseline versus SCR (generated experiment, ${era} traces)`, () => {
    let tmp: string;
    let exp: ScrExperiment;
    let runs: RunSummary[];
    let table: ComparisonTable;

    before(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dft-compare-'));
      exp = generateScrExperiment(tmp, { era });
      runs = [];
      for (const r of exp.runs) runs.push((await summarizeRun([r.folder], { workers: 0 })).summary);
      table = compareRuns(runs[0], runs.slice(1), { tiers: TIERS });
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('writes four runs of 16 rank traces on two hosts, small enough for tests', () => {
      assert.deepEqual(
        exp.runs.map((r) => r.variant),
        ['baseline', 'scr-flush', 'scr-noflush', 'scr-bypass'],
      );
      let bytes = 0;
      exp.runs.forEach((r, i) => {
        assert.equal(r.files.length, 16);
        for (const f of r.files) {
          assert.match(path.basename(f), /^pretrain_gpt-\d+\.pfw\.gz$/);
          bytes += fs.statSync(f).size;
        }
        const run = runs[i];
        assert.equal(run.totals.traceFiles, 16);
        assert.deepEqual(run.hosts, ['node001', 'node002']);
        assert.equal(run.totals.badLines, 0);
        assert.equal(run.unresolvedFileHashes, 0);
        assert.deepEqual(Object.keys(run.eras), [era === '2023' ? 'v1.0.4-quoted' : 'v1.0.9-hex-hashes']);
        assert.equal(run.writes.stride, 1);
      });
      assert.ok(bytes < 8 * 1024 * 1024, `experiment is ${bytes} bytes`);
    });

    it('compareRuns reports what the generator intended, for every run', () => {
      assert.deepEqual(table.runs, ['baseline', 'scr-flush', 'scr-noflush', 'scr-bypass']);
      exp.runs.forEach((intent, i) => checkIntent(table, i, intent));
    });

    it('checkpoint times land where the timing model puts them', () => {
      const ck = metric(table, 'checkpointTime').values.map((us) => us / SEC);
      exp.runs.forEach((r, i) => {
        const [lo, hi] = CHECKPOINT_RANGE[r.variant];
        assert.ok(ck[i] >= lo && ck[i] <= hi, `${r.variant}: ${ck[i].toFixed(1)} s not in [${lo}, ${hi}]`);
      });
      // only the flush run writes to the PFS outside checkpoints (the rest is SCR_Finalize's tiny halt.scr)
      const flush = metric(table, 'flushTime').values;
      assert.ok(flush[1] > 100 * SEC, `scr-flush flushes ${flush[1]} µs`);
      assert.equal(flush[0], 0);
      for (const i of [2, 3]) assert.ok(flush[i] < 0.01 * SEC, `${table.runs[i]} flush ${flush[i]}`);
      // SCR without flush keeps the data on the SSD, bypass and baseline on the PFS
      assert.ok(metric(table, 'posixBytes.SSD').values[2] > 4 * 2 ** 30);
      assert.equal(metric(table, 'posixBytes.SSD').values[0], 0);
    });

    it('deltas and ratios are against the baseline', () => {
      for (const r of table.rows) {
        assert.equal(r.values.length, 4);
        assert.equal(r.deltas[0], 0);
        r.values.forEach((v, i) => {
          if (Number.isFinite(v)) assert.equal(r.deltas[i], v - r.values[0]);
          if (r.values[0] !== 0) near(r.ratios[i], v / r.values[0], `${r.key} ratio`);
          else assert.ok(Number.isNaN(r.ratios[i]));
        });
      }
    });

    it('leaves flush time unknown without its tier, and narrows checkpoints by pattern', () => {
      const renamed = TIERS.map((t) => ({ ...t, label: t.label === 'PFS' ? 'Lustre' : t.label }));
      const unknown = compareRuns(runs[0], runs.slice(1), { tiers: renamed });
      assert.ok(metric(unknown, 'flushTime').values.every((v) => Number.isNaN(v)));
      assert.match(toMarkdown(unknown), /^\| Flush time[^\n]*\| – \| – \|/m);
      const named = compareRuns(runs[0], runs.slice(1), { tiers: renamed, flushTier: 'Lustre' });
      assert.deepEqual(metric(named, 'flushTime').values, metric(table, 'flushTime').values);
      assert.deepEqual(metric(named, 'posixTime.Lustre').values, metric(table, 'posixTime.PFS').values);
      // no span is a checkpoint: no checkpoint time, and every write to the PFS counts as flush
      const none = compareRuns(runs[0], [], { tiers: TIERS, checkpointPattern: { name: '^$', cats: [] } });
      assert.equal(metric(none, 'checkpointTime').values[0], 0);
      assert.ok(metric(none, 'flushTime').values[0] > 0.8 * exp.runs[0].checkpointUs);
    });

    it('finds the planted slow writes at the recorded trace file and line', () => {
      exp.runs.forEach((intent, i) => checkSlowWrites(runs[i], intent));
    });

    it('per-pattern figures match what each kind of file received', () => {
      const pt = patternTable(runs, { tiers: TIERS });
      exp.runs.forEach((intent, i) => {
        assert.ok(intent.patterns.length >= 3);
        for (const p of intent.patterns) {
          const row = pt.rows.find((r) => r.tier === p.tier && r.pattern === p.pattern);
          assert.ok(row, `${intent.variant}: no pattern row ${p.tier} ${p.pattern}`);
          assert.deepEqual(
            row.values[i],
            { files: p.files, writeCalls: p.writeCalls, writeBytes: p.writeBytes, writeUs: p.writeUs },
            `${intent.variant} ${p.tier} ${p.pattern}`,
          );
        }
        // every written pattern row of the table is one the generator meant
        for (const row of pt.rows) {
          if (row.values[i].writeCalls === 0) continue;
          assert.ok(
            intent.patterns.some((p) => p.tier === row.tier && p.pattern === row.pattern),
            `${intent.variant}: unexpected ${row.tier} ${row.pattern}`,
          );
        }
      });
      const layerPfs = pt.rows.find((r) => r.tier === 'PFS' && r.pattern === 'layer.pt')!;
      assert.equal(
        layerPfs.deltas[1].writeCalls,
        layerPfs.values[1].writeCalls - layerPfs.values[0].writeCalls,
      );
      // the flush copies through a 64 MiB buffer: fewer, bigger writes of the same bytes than the application
      assert.equal(layerPfs.values[1].writeBytes, layerPfs.values[0].writeBytes);
      assert.ok(layerPfs.values[1].writeCalls * 2 < layerPfs.values[0].writeCalls);

      const ops = patternOps(runs[1], 'layer.pt', { tiers: TIERS, tier: 'PFS' });
      const byOp = new Map(ops.map((o) => [o.op, o]));
      assert.equal(byOp.get('write')!.count, layerPfs.values[1].writeCalls);
      assert.equal(byOp.get('write')!.bytes, layerPfs.values[1].writeBytes);
      assert.equal(byOp.get('open64')!.count, layerPfs.values[1].files);
      assert.equal(byOp.get('write')!.files, layerPfs.values[1].files);
      assert.ok(!byOp.has('read'), 'the PFS copies are only written');
      const cache = patternOps(runs[1], 'layer.pt', { tiers: TIERS, tier: 'SSD' });
      assert.ok(
        cache.some((o) => o.op === 'read'),
        'the flush reads the cached copies',
      );
      assert.equal(
        patternOps(runs[1], 'layer.pt').reduce((a, o) => a + (o.op === 'write' ? o.count : 0), 0),
        pt.rows.filter((r) => r.pattern === 'layer.pt').reduce((a, r) => a + r.values[1].writeCalls, 0),
      );
      const md = patternsToMarkdown(pt).trimEnd().split('\n');
      const width = mdCells(md[0]).length;
      assert.equal(width, 2 + 4 * 4);
      for (const line of md) assert.equal(mdCells(line).length, width, line);
    });

    it('resolves per-trace-file names the way the run does', () => {
      exp.runs.forEach((_, i) => {
        const run = runs[i];
        const name = traceFileNames(run);
        const perTrace = new Set<string>();
        run.files.forEach((f, t) => f.ops.forEach((o) => perTrace.add(name(t, o.file))));
        assert.deepEqual([...perTrace].sort(), [...new Set(run.ops.map((o) => o.file))].sort());
      });
    });

    it('Markdown and CSV are well formed and carry the same numbers', () => {
      const md = toMarkdown(table);
      const lines = md.trimEnd().split('\n');
      assert.equal(lines.length, table.rows.length + 2);
      const head = mdCells(lines[0]);
      assert.equal(head.length, 1 + 1 + 3 * 3);
      assert.deepEqual(head.slice(0, 5), ['Metric', 'baseline', 'scr-flush', 'Δ scr-flush', '× scr-flush']);
      assert.match(lines[1], /^\| --- \|( ---: \|)+$/);
      for (const line of lines) assert.equal(mdCells(line).length, head.length, line);
      const ckpt = mdCells(lines[2 + table.rows.findIndex((r) => r.key === 'checkpointTime')]);
      assert.equal(ckpt[1], `${(exp.runs[0].checkpointUs / SEC).toFixed(2)} s`);

      const csv = parseCsv(toCsv(table));
      assert.equal(csv.length, table.rows.length + 1);
      assert.deepEqual(csv[0].slice(0, 8), [
        'key',
        'label',
        'unit',
        'approximate',
        'baseline',
        'scr-flush',
        'scr-flush delta',
        'scr-flush ratio',
      ]);
      for (const line of csv) assert.equal(line.length, csv[0].length);
      table.rows.forEach((r, k) => {
        const line = csv[k + 1];
        assert.equal(line[0], r.key);
        assert.equal(line[1], r.label);
        assert.equal(Number(line[4]), r.values[0]);
        for (let j = 1; j < 4; j++) {
          const [value, delta, ratio] = line.slice(5 + 3 * (j - 1), 8 + 3 * (j - 1));
          if (Number.isFinite(r.values[j])) assert.equal(Number(value), r.values[j]);
          if (Number.isFinite(r.deltas[j])) assert.equal(Number(delta), r.deltas[j]);
          if (Number.isFinite(r.ratios[j])) assert.equal(Number(ratio), r.ratios[j]);
          else assert.equal(ratio, '');
        }
      });
    });
  });
}

describe('baseline versus SCR: options', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dft-compare-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writeScale multiplies the write calls and keeps the timing model', async () => {
    const one = generateScrExperiment(path.join(tmp, 'x1'), { variants: ['baseline'] }).runs[0];
    const four = generateScrExperiment(path.join(tmp, 'x4'), { variants: ['baseline'], writeScale: 4 })
      .runs[0];
    assert.equal(four.writeBytes, one.writeBytes);
    assert.ok(four.writeCalls > 3 * one.writeCalls, `${four.writeCalls} vs ${one.writeCalls}`);
    const [lo, hi] = CHECKPOINT_RANGE.baseline;
    assert.ok(four.checkpointUs / SEC >= lo && four.checkpointUs / SEC <= hi);
    const run = (await summarizeRun([four.folder], { workers: 0 })).summary;
    checkIntent(compareRuns(run, [], { tiers: TIERS }), 0, four);
    checkSlowWrites(run, four);
  });

  it('is deterministic', () => {
    const a = generateScrExperiment(path.join(tmp, 'a'), {
      variants: ['scr-flush'],
      nodes: 1,
      ranksPerNode: 2,
    });
    const b = generateScrExperiment(path.join(tmp, 'b'), {
      variants: ['scr-flush'],
      nodes: 1,
      ranksPerNode: 2,
    });
    a.runs[0].files.forEach((f, i) =>
      assert.ok(fs.readFileSync(f).equals(fs.readFileSync(b.runs[0].files[i]))),
    );
    const strip = (r: ScrRunIntent) =>
      JSON.stringify({
        ...r,
        folder: '',
        files: [],
        processes: [],
        slowWrites: r.slowWrites.map((s) => s.line),
      });
    assert.equal(strip(a.runs[0]), strip(b.runs[0]));
  });

  it('flags the flush time approximate once writes are sampled, and stays close', async () => {
    // ~28k writes in one trace file: past WRITES_PER_FILE, so only every other write is kept
    const exp = generateScrExperiment(tmp, {
      variants: ['scr-flush'],
      nodes: 1,
      ranksPerNode: 1,
      checkpoints: 2,
      stepsPerCheckpoint: 10,
      stragglers: 0,
      writeScale: 240,
    });
    const intent = exp.runs[0];
    const run = (await summarizeRun([intent.folder], { workers: 0 })).summary;
    assert.ok(run.writes.stride > 1, `stride ${run.writes.stride}`);
    const table = compareRuns(run, [], { tiers: TIERS });
    const flush = metric(table, 'flushTime');
    assert.equal(flush.approximate, true);
    const err = Math.abs(flush.values[0] - intent.flushUs) / intent.flushUs;
    assert.ok(err < 0.05, `flush ${flush.values[0]} vs ${intent.flushUs}`);
    // the figures from per-op rows are never sampled
    assert.equal(metric(table, 'writeCalls').values[0], intent.writeCalls);
    assert.equal(metric(table, 'checkpointTime').values[0], intent.checkpointUs);
    assert.match(toMarkdown(table), /\(approx\.\)/);
    assert.match(toCsv(table), /^flushTime,.*,us,true,/m);
  });
});

describe('filePattern', () => {
  const cases: [string, string][] = [
    ['/p/lustre5/u/megatron/checkpoints/global_step100/layer-1-100-3.pt', 'layer.pt'],
    ['layer-12-300-15.pt', 'layer.pt'],
    ['optimizer-3-200.pt', 'optimizer.pt'],
    ['model-0-100.pt', 'model.pt'],
    ['/l/ssd/u/scr.defjobid/.scr/filemap_7', 'filemap'],
    ['/l/ssd/u/scr.defjobid/scr.dataset.3', 'scr.dataset'],
    ['global_step100', 'global_step'],
    ['trace-3-of-16.pfw', 'trace-of.pfw'],
    ['.trace-0-of-4.pfw', '.trace-of.pfw'],
    ['img_0001_of_0320.npz', 'img_of.npz'],
    ['layer_01-model_00-model_states.pt', 'layer-model-model_states.pt'],
    ['lib-1.2.3.so', 'lib.so'],
    ['ckpt1.pt', 'ckpt.pt'],
    ['a1b2c', 'abc'],
    ['1-foo.txt', 'foo.txt'],
    ['file.123', 'file'],
    ['model_states.pt', 'model_states.pt'],
    ['a--b.txt', 'a--b.txt'],
    ['index.scr', 'index.scr'],
    ['12345', '#'],
    ['/dev/shm/0', '#'],
    ['fhash:0a1b2c3d4e5f6071', 'fhash:*'],
    ['', ''],
  ];
  for (const [input, want] of cases)
    it(`${input || '(empty)'} -> ${want || '(empty)'}`, () => assert.equal(filePattern(input), want));
});

describe('tierOf', () => {
  it('matches prefixes and globs, first match wins, else other', () => {
    const tiers: StorageTier[] = [
      { pattern: '/l/ssd', label: 'SSD' },
      { pattern: '/p/lustre*', label: 'PFS' },
      { pattern: '/p/*/scratch', label: 'never: PFS matched first' },
      { pattern: '/dev/shm', label: 'tmpfs' },
      { pattern: '/g/g?/', label: 'home' },
      { pattern: 'scr.dataset.*', label: 'scr cache' },
      { pattern: '/x/**/y', label: 'deep' },
    ];
    assert.equal(tierOf('/l/ssd/u/scr.defjobid/scr.dataset.1/layer-1-100-0.pt', tiers), 'SSD');
    assert.equal(tierOf('/p/lustre5/u/megatron/checkpoints/x.pt', tiers), 'PFS');
    assert.equal(tierOf('/p/lustre/x', tiers), 'PFS');
    assert.equal(tierOf('/p/gpfs1/scratch/x', tiers), 'never: PFS matched first');
    assert.equal(tierOf('/p/lustre1/scratch/x', tiers), 'PFS');
    assert.equal(tierOf('/dev/shm/u/filemap_0', tiers), 'tmpfs');
    assert.equal(tierOf('/g/g9/u/.bashrc', tiers), 'home');
    assert.equal(tierOf('/g/g10/u/.bashrc', tiers), 'other');
    assert.equal(tierOf('/tmp/scr.dataset.4/a', tiers), 'scr cache');
    assert.equal(tierOf('/x/a/b/c/y/z', tiers), 'deep');
    assert.equal(tierOf('/x/y', tiers), 'other', '`/**/` needs at least one component between');
    assert.equal(tierOf('/usr/lib/python3.9/os.py', tiers), 'other');
    assert.equal(tierOf('', tiers), 'other');
    assert.equal(tierOf('/l/ssd/a', []), 'other');
    // regex characters in a pattern are literal
    assert.equal(tierOf('/a+b/c', [{ pattern: '/a+b', label: 'plus' }]), 'plus');
    assert.equal(tierOf('/aab/c', [{ pattern: '/a+b*', label: 'plus' }]), 'other');
    assert.equal(tierOf('/l/ssd/x', DEFAULT_TIERS), 'SSD');
    assert.equal(tierOf('/p/lustre3/x', DEFAULT_TIERS), 'PFS');
    assert.equal(tierOf('/dev/shm/x', DEFAULT_TIERS), 'tmpfs');
  });
});
