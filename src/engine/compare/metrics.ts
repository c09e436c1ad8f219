// Baseline versus other runs (FORMAT.md, SCR section): the figures of each run, side by side, with deltas and
// ratios against the baseline, plus per-file-pattern breakdowns. Pure: no `vscode`, no I/O.
import { fmtBytes, fmtCount, fmtUs } from '../format';
import { isWriteOp } from '../model/io-ops';
import { UNRESOLVED_PREFIX, type OpRow } from '../model/types';
import type { RunSummary } from '../summary/run-summary';
import { DEFAULT_SPAN_PATTERN, type SpanPattern } from '../summary/scan-file';
import { OTHER_TIER, tierMatcher, type StorageTier } from './tiers';

export type MetricUnit = 'us' | 'bytes' | 'count';

export interface MetricRow {
  key: string;
  label: string;
  unit: MetricUnit;
  /** One per run, baseline first. NaN when the run cannot tell (no events, no writes). */
  values: number[];
  /** value - baseline value (0 for the baseline itself). */
  deltas: number[];
  /** value / baseline value; NaN when the baseline is 0. */
  ratios: number[];
  /** Estimated from sampled rows (a run past the write-table caps): close, not exact. */
  approximate?: boolean;
}

export interface ComparisonTable {
  /** Run labels, baseline first. */
  runs: string[];
  tiers: StorageTier[];
  rows: MetricRow[];
}

export interface CompareOptions {
  tiers: StorageTier[];
  /**
   * Which spans are checkpoints. Only spans the scan kept are seen (RunSummary.spans holds what the scan's own
   * pattern matched, DEFAULT_SPAN_PATTERN unless the caller changed it), so this can narrow that set, not widen it.
   */
  checkpointPattern?: SpanPattern;
  /** Run labels, baseline first; default: the name of the folder that holds each run's trace files. */
  labels?: string[];
  /** The label of the tier a flush writes to. Default 'PFS'. When no tier has it, flush time is unknown (NaN). */
  flushTier?: string;
}

/**
 * Resolves the file names of one trace file's rows. Rows in `run.files[i].ops` keep names the file could not
 * resolve itself as `UNRESOLVED_PREFIX + hash`; the run's other files may declare them (FORMAT.md: per file first,
 * then the run), as mergeRun does for the run-level tables.
 */
export function traceFileNames(run: RunSummary): (trace: number, name: string) => string {
  let runTable: Map<string, string> | undefined;
  const own = new Map<number, Map<string, string>>();
  return (trace, name) => {
    if (!name.startsWith(UNRESOLVED_PREFIX)) return name;
    const hash = name.slice(UNRESOLVED_PREFIX.length);
    let mine = own.get(trace);
    if (!mine) own.set(trace, (mine = new Map(run.files[trace]?.fileHashes ?? [])));
    const local = mine.get(hash);
    if (local !== undefined) return local;
    if (!runTable) {
      runTable = new Map();
      for (const f of run.files) for (const [h, n] of f.fileHashes) if (!runTable.has(h)) runTable.set(h, n);
    }
    return runTable.get(hash) ?? `fhash:${hash}`;
  };
}

/** Per trace file: its op rows with names resolved. */
export function traceFileOps(run: RunSummary): OpRow[][] {
  const name = traceFileNames(run);
  return run.files.map((f, trace) => f.ops.map((row) => ({ ...row, file: name(trace, row.file) })));
}

function spanMatcher(p: SpanPattern): (s: { name: string; cat: string }) => boolean {
  const re = new RegExp(p.name);
  const cats = new Set(p.cats);
  return (s) => cats.has(s.cat) || re.test(s.name);
}

export interface Interval {
  ts: number;
  end: number;
}

export interface ThreadSpans {
  /** Outermost spans, by start: what the checkpoint time sums. */
  outer: Interval[];
  /** Their union as disjoint intervals, by start: what "inside a checkpoint" tests against. */
  merged: Interval[];
}

/**
 * The checkpoint spans of each thread (key `trace/pid/tid`). Only outermost spans count: a checkpoint-category
 * event nested in `PyTorchCheckpointing.checkpoint` is the same time and must not count twice.
 */
export function checkpointSpans(run: RunSummary, pattern: SpanPattern): Map<string, ThreadSpans> {
  const matches = spanMatcher(pattern);
  const byThread = new Map<string, Interval[]>();
  for (const s of run.spans) {
    if (!matches(s)) continue;
    const key = `${s.trace}/${s.pid}/${s.tid}`;
    let list = byThread.get(key);
    if (!list) byThread.set(key, (list = []));
    list.push({ ts: s.ts, end: s.ts + Math.max(0, s.dur) });
  }
  const out = new Map<string, ThreadSpans>();
  for (const [key, list] of byThread) {
    list.sort((a, b) => a.ts - b.ts || b.end - a.end);
    const outer: Interval[] = [];
    const merged: Interval[] = [];
    for (const iv of list) {
      const last = outer[outer.length - 1];
      if (!(last && iv.ts >= last.ts && iv.end <= last.end)) outer.push(iv);
      const m = merged[merged.length - 1];
      if (m && iv.ts <= m.end) m.end = Math.max(m.end, iv.end);
      else merged.push({ ...iv });
    }
    out.set(key, { outer, merged });
  }
  return out;
}

/** Is `ts` inside one of the disjoint, sorted intervals? */
export function inside(list: Interval[] | undefined, ts: number): boolean {
  if (!list) return false;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].end <= ts) lo = mid + 1;
    else if (list[mid].ts > ts) hi = mid - 1;
    else return true;
  }
  return false;
}

interface RunFigures {
  wallUs: number;
  checkpointUs: number;
  tierTime: Map<string, number>;
  tierBytes: Map<string, number>;
  flushUs: number;
  flushApprox: boolean;
  filesWritten: number;
  writeCalls: number;
  writeBytes: number;
  badLines: number;
}

function runFigures(run: RunSummary, opts: CompareOptions): RunFigures {
  const tier = tierMatcher(opts.tiers);
  const perTrace = traceFileOps(run);
  const flushTier = opts.flushTier ?? 'PFS';

  // checkpoint time: per process (trace file), the sum over its threads' outermost checkpoint spans; max
  const spans = checkpointSpans(run, opts.checkpointPattern ?? DEFAULT_SPAN_PATTERN);
  const ckpt = new Array<number>(run.files.length).fill(0);
  for (const [key, { outer }] of spans) {
    const trace = Number(key.slice(0, key.indexOf('/')));
    for (const iv of outer) ckpt[trace] += iv.end - iv.ts;
  }

  // POSIX time and bytes per tier: per process sums, each maxed on its own
  const tierTime = new Map<string, number>();
  const tierBytes = new Map<string, number>();
  const writesPerTrace = new Array<number>(run.files.length).fill(0);
  perTrace.forEach((rows, trace) => {
    const time = new Map<string, number>();
    const bytes = new Map<string, number>();
    for (const row of rows) {
      if (isWriteOp(row.op)) writesPerTrace[trace] += row.count;
      if (row.cat !== 'POSIX') continue;
      const t = tier(row.file);
      time.set(t, (time.get(t) ?? 0) + row.durUs);
      bytes.set(t, (bytes.get(t) ?? 0) + row.bytes);
    }
    for (const [t, v] of time) tierTime.set(t, Math.max(tierTime.get(t) ?? 0, v));
    for (const [t, v] of bytes) tierBytes.set(t, Math.max(tierBytes.get(t) ?? 0, v));
  });

  // flush time: writes to the flush tier outside a checkpoint span of the writing thread; per process sum, max
  const w = run.writes;
  const flush = new Array<number>(run.files.length).fill(0);
  const kept = new Array<number>(run.files.length).fill(0);
  const names = w.files.map((f) => tier(f) === flushTier);
  for (let i = 0; i < w.length; i++) {
    const trace = w.trace?.[i] ?? 0;
    kept[trace]++;
    if (!names[w.file[i]]) continue;
    if (inside(spans.get(`${trace}/${w.pid[i]}/${w.tid[i]}`)?.merged, w.ts[i])) continue;
    flush[trace] += w.dur[i];
  }
  // past the caps only every stride-th write is kept: scale each process's sum by what its rows stand for
  let flushApprox = false;
  for (let t = 0; t < flush.length; t++) {
    if (kept[t] > 0 && kept[t] < writesPerTrace[t]) {
      flush[t] *= writesPerTrace[t] / kept[t];
      flushApprox = true;
    }
  }
  if (w.stride > 1) flushApprox = true;

  const written = new Set<string>();
  let writeCalls = 0;
  let writeBytes = 0;
  for (const row of run.ops) {
    if (!isWriteOp(row.op)) continue;
    writeCalls += row.count;
    writeBytes += row.bytes;
    if (row.count > 0 && row.file !== '') written.add(row.file);
  }
  const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
  return {
    wallUs: run.totals.tsMax - run.totals.tsMin,
    checkpointUs: max(ckpt),
    tierTime,
    tierBytes,
    // zero would claim "no flush" for tiers that merely have other names
    flushUs: opts.tiers.some((t) => t.label === flushTier) ? max(flush) : NaN,
    flushApprox,
    filesWritten: written.size,
    writeCalls,
    writeBytes,
    badLines: run.totals.badLines,
  };
}

/** Default labels: the folder holding each run's trace files (their common parent), made unique. */
export function runLabels(runs: RunSummary[]): string[] {
  const labels = runs.map((run, i) => {
    const dirs = run.files.map((f) => f.path.replace(/[\\/][^\\/]*$/, ''));
    if (dirs.length === 0) return `run ${i + 1}`;
    let common = dirs[0];
    for (const d of dirs) {
      while (common && d !== common && !d.startsWith(common + '/') && !d.startsWith(common + '\\'))
        common = common.replace(/[\\/][^\\/]*$/, '');
    }
    const name = common.slice(Math.max(common.lastIndexOf('/'), common.lastIndexOf('\\')) + 1);
    return name || `run ${i + 1}`;
  });
  const seen = new Map<string, number>();
  for (const l of labels) seen.set(l, (seen.get(l) ?? 0) + 1);
  return labels.map((l, i) => ((seen.get(l) ?? 0) > 1 ? `${l} (${i + 1})` : l));
}

function row(key: string, label: string, unit: MetricUnit, values: number[], approximate = false): MetricRow {
  const base = values[0];
  const out: MetricRow = {
    key,
    label,
    unit,
    values,
    deltas: values.map((v) => v - base),
    ratios: values.map((v) => (base === 0 || !Number.isFinite(base) ? NaN : v / base)),
  };
  if (approximate) out.approximate = true;
  return out;
}

/** The figures of the issue "Baseline versus SCR", for the baseline and each other run. */
export function compareRuns(
  baseline: RunSummary,
  others: RunSummary[],
  opts: CompareOptions,
): ComparisonTable {
  const runs = [baseline, ...others];
  const labels = opts.labels && opts.labels.length === runs.length ? opts.labels : runLabels(runs);
  const figs = runs.map((r) => runFigures(r, opts));
  const get = (f: (x: RunFigures) => number) => figs.map(f);
  const rows: MetricRow[] = [
    row(
      'wallTime',
      'Wall time',
      'us',
      get((x) => x.wallUs),
    ),
    row(
      'checkpointTime',
      'Checkpoint time (max over processes)',
      'us',
      get((x) => x.checkpointUs),
    ),
  ];
  const tierLabels = [...new Set(opts.tiers.map((t) => t.label))];
  if (figs.some((x) => (x.tierTime.get(OTHER_TIER) ?? 0) > 0 || (x.tierBytes.get(OTHER_TIER) ?? 0) > 0))
    if (!tierLabels.includes(OTHER_TIER)) tierLabels.push(OTHER_TIER);
  for (const t of tierLabels) {
    rows.push(
      row(
        `posixTime.${t}`,
        `POSIX time on ${t} (max over processes)`,
        'us',
        get((x) => x.tierTime.get(t) ?? 0),
      ),
      row(
        `posixBytes.${t}`,
        `POSIX bytes on ${t} (max over processes)`,
        'bytes',
        get((x) => x.tierBytes.get(t) ?? 0),
      ),
    );
  }
  rows.push(
    row(
      'flushTime',
      `Flush time: writes to ${opts.flushTier ?? 'PFS'} outside checkpoints (max over processes)`,
      'us',
      get((x) => x.flushUs),
      figs.some((x) => x.flushApprox),
    ),
    row(
      'filesWritten',
      'Files written',
      'count',
      get((x) => x.filesWritten),
    ),
    row(
      'writeCalls',
      'Write calls',
      'count',
      get((x) => x.writeCalls),
    ),
    row(
      'meanWriteSize',
      'Mean write size',
      'bytes',
      get((x) => (x.writeCalls ? x.writeBytes / x.writeCalls : NaN)),
    ),
    row(
      'badLines',
      'Bad lines',
      'count',
      get((x) => x.badLines),
    ),
  );
  return { runs: labels, tiers: opts.tiers, rows };
}

// ---------------------------------------------------------------------------------------------------------------
// file patterns

const MARK = '\u0000';

/**
 * The file's name with its numbers taken out, so the files of one kind group across steps and ranks:
 * 1. take the base name (after the last `/`);
 * 2. remove every run of ASCII digits;
 * 3. each run of separators (`-`, `_`, `.`) that touched a removed number becomes its last separator, or nothing
 *    at the start or end of the name; separators that touched no number stay as they were.
 * `layer-1-100-3.pt` -> `layer.pt`, `filemap_3` -> `filemap`, `trace-3-of-16.pfw` -> `trace-of.pfw`,
 * `layer_01-model_00-model_states.pt` -> `layer-model-model_states.pt`. A name of digits only gives `#`; a hash the
 * run could not resolve (`fhash:...`) gives `fhash:*`; no file gives ''.
 */
export function filePattern(path: string): string {
  if (path === '') return '';
  if (path.startsWith('fhash:')) return 'fhash:*';
  const base = path.slice(path.lastIndexOf('/') + 1);
  const marked = base.replace(/[0-9]+/g, MARK);
  const out = marked.replace(/[-_.\u0000]*\u0000[-_.\u0000]*/g, (m: string, at: number, whole: string) => {
    if (at === 0 || at + m.length === whole.length) return '';
    const seps = m.split(MARK).join('');
    return seps.length ? seps[seps.length - 1] : '';
  });
  return out === '' ? '#' : out;
}

export interface PatternFigures {
  /** Distinct files of the pattern the run did any I/O on. */
  files: number;
  writeCalls: number;
  writeBytes: number;
  writeUs: number;
}

export interface PatternRow {
  pattern: string;
  /** Set when the table was split by tier. */
  tier?: string;
  /** One per run, baseline first. */
  values: PatternFigures[];
  /** Each run minus the baseline. */
  deltas: PatternFigures[];
}

export interface PatternTable {
  runs: string[];
  rows: PatternRow[];
}

export interface PatternOptions {
  /** Split each pattern by storage tier. */
  tiers?: StorageTier[];
  labels?: string[];
}

/** Per file pattern (and tier, when given), per run: files, write calls, bytes and time; biggest writers first. */
export function patternTable(runs: RunSummary[], opts: PatternOptions = {}): PatternTable {
  const tier = opts.tiers ? tierMatcher(opts.tiers) : undefined;
  const zero = (): PatternFigures => ({ files: 0, writeCalls: 0, writeBytes: 0, writeUs: 0 });
  const rows = new Map<
    string,
    { pattern: string; tier?: string; values: PatternFigures[]; files: Set<string>[] }
  >();
  runs.forEach((run, r) => {
    for (const op of run.ops) {
      if (op.file === '') continue;
      const pattern = filePattern(op.file);
      const t = tier?.(op.file);
      const key = t === undefined ? pattern : `${t}\u0000${pattern}`;
      let acc = rows.get(key);
      if (!acc) {
        acc = { pattern, values: runs.map(zero), files: runs.map(() => new Set<string>()) };
        if (t !== undefined) acc.tier = t;
        rows.set(key, acc);
      }
      acc.files[r].add(op.file);
      if (!isWriteOp(op.op)) continue;
      const v = acc.values[r];
      v.writeCalls += op.count;
      v.writeBytes += op.bytes;
      v.writeUs += op.durUs;
    }
  });
  const out: PatternRow[] = [];
  for (const acc of rows.values()) {
    acc.values.forEach((v, r) => (v.files = acc.files[r].size));
    const base = acc.values[0];
    const row: PatternRow = {
      pattern: acc.pattern,
      values: acc.values,
      deltas: acc.values.map((v) => ({
        files: v.files - base.files,
        writeCalls: v.writeCalls - base.writeCalls,
        writeBytes: v.writeBytes - base.writeBytes,
        writeUs: v.writeUs - base.writeUs,
      })),
    };
    if (acc.tier !== undefined) row.tier = acc.tier;
    out.push(row);
  }
  const biggest = (r: PatternRow) => Math.max(...r.values.map((v) => v.writeBytes));
  out.sort((a, b) => biggest(b) - biggest(a) || cmp(a.tier ?? '', b.tier ?? '') || cmp(a.pattern, b.pattern));
  const labels = opts.labels && opts.labels.length === runs.length ? opts.labels : runLabels(runs);
  return { runs: labels, rows: out };
}

export interface PatternOpRow {
  cat: string;
  op: string;
  count: number;
  bytes: number;
  durUs: number;
  /** Distinct files of the pattern this op touched. */
  files: number;
}

/** Per-op figures over the files of one pattern (optionally of one tier): what the files' calls were. */
export function patternOps(
  run: RunSummary,
  pattern: string,
  opts: { tiers?: StorageTier[]; tier?: string } = {},
): PatternOpRow[] {
  const tier = opts.tiers && opts.tier !== undefined ? tierMatcher(opts.tiers) : undefined;
  const acc = new Map<string, PatternOpRow & { names: Set<string> }>();
  for (const row of run.ops) {
    if (row.file === '' || filePattern(row.file) !== pattern) continue;
    if (tier && tier(row.file) !== opts.tier) continue;
    const key = `${row.cat}\u0000${row.op}`;
    let a = acc.get(key);
    if (!a)
      acc.set(
        key,
        (a = { cat: row.cat, op: row.op, count: 0, bytes: 0, durUs: 0, files: 0, names: new Set() }),
      );
    a.count += row.count;
    a.bytes += row.bytes;
    a.durUs += row.durUs;
    a.names.add(row.file);
  }
  return [...acc.values()]
    .map(({ names, ...r }) => ({ ...r, files: names.size }))
    .sort((a, b) => b.count - a.count || cmp(a.cat, b.cat) || cmp(a.op, b.op));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// output

/** A value in its unit, in the formats the CLI and the extension share; '–' when unknown. */
export function formatMetric(value: number, unit: MetricUnit, signed = false): string {
  if (!Number.isFinite(value)) return '–';
  // a mean size is fractional: whole bytes read better
  const text =
    unit === 'us' ? fmtUs(value) : unit === 'bytes' ? fmtBytes(Math.round(value)) : fmtCount(value);
  return signed && value >= 0 ? `+${text}` : text;
}

function fmtRatio(r: number): string {
  return Number.isFinite(r) ? `×${r.toFixed(2)}` : '–';
}

function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdTable(head: string[], body: string[][], rightFrom: number): string {
  const align = head.map((_, i) => (i >= rightFrom ? '---:' : '---'));
  return [head, align, ...body].map((r) => `| ${r.map(mdCell).join(' | ')} |`).join('\n');
}

/** A GitHub-flavoured Markdown table: the baseline, then per run its value, the delta and the ratio. */
export function toMarkdown(table: ComparisonTable): string {
  const [base, ...others] = table.runs;
  const head = ['Metric', base, ...others.flatMap((l) => [l, `Δ ${l}`, `× ${l}`])];
  const body = table.rows.map((r) => [
    r.approximate ? `${r.label} (approx.)` : r.label,
    formatMetric(r.values[0], r.unit),
    ...others.flatMap((_, i) => [
      formatMetric(r.values[i + 1], r.unit),
      formatMetric(r.deltas[i + 1], r.unit, true),
      fmtRatio(r.ratios[i + 1]),
    ]),
  ]);
  return mdTable(head, body, 1) + '\n';
}

/** The pattern table as Markdown: per run files, write calls, bytes and time. */
export function patternsToMarkdown(table: PatternTable, limit = Infinity): string {
  const split = table.rows.some((r) => r.tier !== undefined);
  const head = [
    ...(split ? ['Tier'] : []),
    'Pattern',
    ...table.runs.flatMap((l) => [`${l} files`, `${l} writes`, `${l} bytes`, `${l} write time`]),
  ];
  const body = table.rows
    .slice(0, limit)
    .map((r) => [
      ...(split ? [r.tier ?? ''] : []),
      r.pattern,
      ...r.values.flatMap((v) => [
        fmtCount(v.files),
        fmtCount(v.writeCalls),
        formatMetric(v.writeBytes, 'bytes'),
        formatMetric(v.writeUs, 'us'),
      ]),
    ]);
  return mdTable(head, body, split ? 2 : 1) + '\n';
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : '';
}

/** RFC 4180 CSV with raw numbers (µs, bytes, counts); empty cells where a value is unknown. */
export function toCsv(table: ComparisonTable): string {
  const [base, ...others] = table.runs;
  const head = [
    'key',
    'label',
    'unit',
    'approximate',
    base,
    ...others.flatMap((l) => [l, `${l} delta`, `${l} ratio`]),
  ];
  const lines = [head.map(csvField).join(',')];
  for (const r of table.rows) {
    lines.push(
      [
        csvField(r.key),
        csvField(r.label),
        r.unit,
        r.approximate ? 'true' : 'false',
        csvNumber(r.values[0]),
        ...others.flatMap((_, i) => [
          csvNumber(r.values[i + 1]),
          csvNumber(r.deltas[i + 1]),
          csvNumber(r.ratios[i + 1]),
        ]),
      ].join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
