// `dftrace`: the engine on the command line, for login nodes, scripts and CI.
// first: the workers it starts boot while the rest of the CLI loads
import { prestarted } from './prestart';
import { histogramCommand } from './histogram';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import {
  findTraceFiles,
  orderByTime,
  queryRunEvents,
  summarizeTraceFiles,
  summaryJson,
  WorkerPool,
  type RunProgress,
  type RunSummary,
} from '../engine';
import {
  compareRuns,
  patternsToMarkdown,
  patternTable,
  toCsv,
  toMarkdown,
  type ComparisonTable,
} from '../engine/compare/metrics';
import { DEFAULT_TIERS, type StorageTier } from '../engine/compare/tiers';
import { insightsCommand } from './insights';
import { intFlag, parseArgs, stringFlag, UsageError, type ParsedArgs } from './args';
import { eventsHeader, fmtBytes, fmtInt, fmtUs, table } from './format';
import { commonFolder, disjointSpanGroups } from './span-groups';
import { exportCommand, mergeCommand, summarizeShardCommand } from './export-commands';

// A run is read file after file: what the main thread keeps is small (the run's tables) but each file leaves tens
// of MB of merge garbage, and V8's default heap growth lets that pile up before it collects. A login node is shared:
// the heap grows by 30% at a time instead, which keeps the footprint flat however many files the run has (README,
// Performance). CLI only: the extension runs in VS Code's process, whose heap is VS Code's to tune.
setFlagsFromString('--heap-growing-percent=30');

const VERSION = '0.1.0';

const USAGE = `dftrace ${VERSION}: read DFTracer (.pfw / .pfw.gz) traces

Usage:
  dftrace summarize <file|folder>... [--json [--pretty]] [--all]
  dftrace events <file|folder>... --file <accessed path> [--op <name>] [--slowest N] [--limit N] [--json [--pretty]]
  dftrace compare <baseline folder> <other folder>... [--json [--pretty]|--markdown|--csv] [--tiers SPEC] [--flush-tier L]
  dftrace histogram <file|folder>... --op <name> [--json [--pretty]]   duration and size distributions, p50/p90/p95/p99
  dftrace insights <file|folder>... [--baseline <folder>] [--json [--pretty]] [--tiers SPEC]
  dftrace export <file|folder>... --parquet <folder>
  dftrace summarize <file|folder>... --shard i/n --out <part.json>
  dftrace merge <part.json>... [--json] [--all] [--out <run.dftrace-summary.json>]

A folder means every *.pfw and *.pfw.gz below it; all paths given form one run (compare: each path is a run).

Options:
  --json            machine-readable output: one JSON document on stdout (see README for the fields);
                    messages and warnings go to stderr
  --pretty          with --json: indented
  --all             summarize: list every (file, op) row, not only the 25 most time-consuming
  --file PATH       events: the accessed file whose events to list (as summarize names it)
  --op NAME         events: only this operation (write, pread64, fwrite, ...)
  --slowest N       events: the N slowest events instead of all in time order
  --limit N         events: print at most N events (default 200 in the table, all in --json)
  --markdown        compare: Markdown tables (the default output)
  --csv             compare: the metrics as CSV (raw µs, bytes, counts)
  --tiers SPEC      compare: storage tiers as PATTERN=LABEL,... (prefix or glob with *; first match wins)
                    default (the same as the extension's dftrace.storageTiers setting):
${tierLines(DEFAULT_TIERS, '                      ')}
  --flush-tier L    compare: the label of the tier a flush writes to (default PFS)
  --baseline DIR    insights: the baseline run, for the rules that compare (exit 0 even with findings)
  --parquet DIR     export: one Parquet file per trace file into DIR (columns: see README)
  --shard i/n       summarize: only the i-th of n size-balanced shares of the run's files (1 <= i <= n)
  --out FILE        summarize: write the (shard's) summary part to FILE; merge: also write the merged run
  --workers N       worker threads (default: number of cores)
  --cache-dir DIR   keep per-file results in DIR and reuse them while the traces are unchanged
  --no-progress     no progress bar on stderr
  -h, --help        this text
  --version         the version

Exit codes: 0 done (bad lines are reported, not fatal); 1 nothing readable; 2 usage error.`;

/** PATTERN=LABEL entries, a few per line, as --tiers takes them. */
function tierLines(tiers: readonly StorageTier[], indent: string): string {
  const items = tiers.map((t) => `${t.pattern}=${t.label}`);
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + item.length + 1 <= 80 - indent.length) lines[last] += ',' + item;
    else lines.push(item);
  }
  return lines.map((l, i) => indent + l + (i < lines.length - 1 ? ',' : '')).join('\n');
}

const SPEC = {
  values: [
    'file',
    'op',
    'slowest',
    'limit',
    'workers',
    'cache-dir',
    'tiers',
    'flush-tier',
    'baseline',
    'parquet',
    'shard',
    'out',
  ],
  switches: ['json', 'pretty', 'all', 'no-progress', 'help', 'markdown', 'csv'],
};

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) throw new UsageError('give a command: summarize, events or compare');
  if (argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const args = parseArgs(
    argv.map((a) => (a === '-h' ? '--help' : a)),
    SPEC,
  );
  if (args.flags.has('help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (args.command === 'merge') return printRun(await mergeCommand(args), args);
  if (!['summarize', 'events', 'compare', 'histogram', 'insights', 'export'].includes(args.command))
    throw new UsageError(
      `unknown command "${args.command}" (summarize, events, compare, histogram, insights, export or merge)`,
    );
  if (args.flags.has('pretty') && !args.flags.has('json')) throw new UsageError('--pretty goes with --json');
  // one pool for the command, its workers booting while the paths are looked at (a cache may make them idle)
  const pool = new WorkerPool({ size: intFlag(args, 'workers', 0), prestarted });
  if (stringFlag(args, 'cache-dir') === undefined) pool.warm();
  try {
    switch (args.command) {
      case 'summarize':
        if (args.flags.has('shard') || args.flags.has('out')) return await summarizeShardCommand(args, pool);
        return await summarize(args, pool);
      case 'export':
        return await exportCommand(args, pool);
      case 'events':
        return await events(args, pool);
      case 'histogram':
        return await histogramCommand(args, pool);
      case 'insights':
        return await insightsCommand(args, {
          load: (paths) => loadRun({ ...args, positional: paths }, pool),
          tiers: parseTiers(stringFlag(args, 'tiers')),
        });
      default:
        return await compare(args, pool);
    }
  } finally {
    await pool.dispose();
  }
}

async function loadRun(args: ParsedArgs, pool: WorkerPool): Promise<RunSummary | undefined> {
  if (args.positional.length === 0) throw new UsageError('give at least one trace file or folder');
  const { files, problems } = await findTraceFiles(args.positional);
  for (const p of problems) process.stderr.write(`dftrace: ${p}\n`);
  if (files.length === 0) {
    process.stderr.write('dftrace: no trace files to read\n');
    return undefined;
  }
  const pathsGiven = args.positional.join(' ');
  const bar = process.stderr.isTTY && !args.flags.has('no-progress') ? new ProgressBar() : undefined;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let run: RunSummary;
  try {
    run = await summarizeTraceFiles(files, {
      pool,
      cacheDir: stringFlag(args, 'cache-dir'),
      signal: controller.signal,
      onProgress: bar ? (p) => bar.update(p) : undefined,
    });
  } finally {
    process.off('SIGINT', onSigint);
    bar?.done();
  }
  warnUnrelated(run, pathsGiven);
  return run;
}

/** Files whose time spans fall apart are separate runs: their totals and time span would mislead. */
function warnUnrelated(run: RunSummary, pathsGiven: string): void {
  const groups = disjointSpanGroups(run.files);
  if (groups.length < 2) return;
  const shown = 5;
  process.stderr.write(
    `dftrace: warning: the trace files under ${pathsGiven} form ${groups.length} groups whose time spans do not ` +
      `overlap: they look like separate runs, and their totals (time span above all) mix them; give each run's ` +
      `folder on its own\n` +
      groups
        .slice(0, shown)
        .map(
          (g) =>
            `  ${fmtInt(g.files.length)} file${g.files.length === 1 ? '' : 's'} in ${commonFolder(g.files)}: ` +
            `${fmtUs(g.tsMax - g.tsMin)} from ${when(g.tsMin)}\n`,
        )
        .join('') +
      (groups.length > shown ? `  … and ${groups.length - shown} more groups\n` : ''),
  );
}

/** DFTracer's ts is µs since the epoch (a 2023+ run is past 1e15); older toy traces count from 0. */
function when(ts: number): string {
  return ts >= 1e15 ? new Date(ts / 1000).toISOString().replace('.000Z', 'Z') : `ts ${ts} µs`;
}

/** --json output: always one document, indented with --pretty. */
function writeJson(args: ParsedArgs, value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, args.flags.has('pretty') ? 2 : undefined) + '\n');
}

async function summarize(args: ParsedArgs, pool: WorkerPool): Promise<number> {
  const run = await loadRun(args, pool);
  return run ? printRun(run, args) : 1;
}

function printRun(run: RunSummary, args: ParsedArgs): number {
  if (args.flags.has('json')) writeJson(args, summaryJson(run));
  else process.stdout.write(renderSummary(run, args.flags.has('all')) + '\n');
  const t = run.totals;
  if (t.events + t.metadata + t.counters === 0) {
    process.stderr.write('dftrace: nothing readable: no event in any file\n');
    return 1;
  }
  return 0;
}

function renderSummary(run: RunSummary, all: boolean): string {
  const t = run.totals;
  const out: string[] = [];
  const span = t.tsMax - t.tsMin;
  out.push(
    `${fmtInt(t.traceFiles)} trace files (${fmtBytes(t.compressedBytes)} on disk, ${fmtBytes(t.uncompressedBytes)} of text)`,
    `events ${fmtInt(t.events)}   metadata ${fmtInt(t.metadata)}   counters ${fmtInt(t.counters)}   bad lines ${fmtInt(t.badLines)}`,
    `time span ${fmtUs(span)}   processes ${fmtInt(run.processes.length)}   hosts ${run.hosts.length ? run.hosts.join(', ') : '-'}`,
    `format: ${Object.entries(run.eras)
      .map(([era, n]) => `${era} (${n})`)
      .join(', ')}`,
  );
  if (t.events > 0 && t.eventsWithArgs === 0) {
    out.push('note: no event carries args (traced without DFTRACER_INC_METADATA=1): no sizes or file names');
  }
  if (run.unresolvedFileHashes > 0) {
    out.push(
      `note: ${run.unresolvedFileHashes} file hashes have no FH metadata in the run; shown as fhash:<hash>`,
    );
  }
  const troubled = run.files.filter(
    (f) => f.error || f.read.truncated || f.badLines || f.read.problems.length,
  );
  if (troubled.length) {
    out.push('', 'Problems (nothing was dropped silently):');
    for (const f of troubled) {
      const notes = [
        ...(f.error ? [f.error] : []),
        ...f.read.problems,
        ...(f.badLines ? [`${fmtInt(f.badLines)} bad lines`] : []),
      ];
      out.push(`  ${f.path}: ${notes.join('; ')}`);
      for (const b of f.badExamples.slice(0, 3)) out.push(`    line ${b.line}: ${b.reason}: ${b.excerpt}`);
    }
  }
  const cats = Object.entries(run.categories).sort((a, b) => b[1] - a[1]);
  out.push('', 'Categories: ' + cats.map(([c, n]) => `${c || '(none)'} ${fmtInt(n)}`).join(', '));
  const rows = [...run.ops].sort((a, b) => b.durUs - a.durUs);
  const shown = all ? rows : rows.slice(0, 25);
  if (rows.length) {
    out.push(
      '',
      `POSIX/STDIO operations per file${all || rows.length <= 25 ? '' : ` (25 most time-consuming of ${rows.length}; --all for every row)`}:`,
      table(
        ['file', 'cat', 'op', '>count', '>bytes', '>time', '>max'],
        shown.map((r) => [
          r.file || '(no file)',
          r.cat,
          r.op,
          fmtInt(r.count),
          fmtBytes(r.bytes),
          fmtUs(r.durUs),
          fmtUs(r.durMaxUs),
        ]),
      ),
    );
  }
  return out.join('\n');
}

async function events(args: ParsedArgs, pool: WorkerPool): Promise<number> {
  const file = stringFlag(args, 'file');
  if (file === undefined) throw new UsageError('events needs --file <accessed path>');
  const slowest = intFlag(args, 'slowest', 1);
  const limit = intFlag(args, 'limit', 1);
  const run = await loadRun(args, pool);
  if (!run) return 1;
  const known = run.ops.some((r) => r.file === file);
  if (!known) {
    const like = run.ops.filter((r) => r.file.includes(file)).map((r) => r.file);
    process.stderr.write(
      `dftrace: no POSIX/STDIO operation on "${file}" in this run` +
        (like.length ? `; did you mean:\n  ${[...new Set(like)].slice(0, 5).join('\n  ')}` : '') +
        '\n',
    );
    return 1;
  }
  const op = stringFlag(args, 'op');
  const cols = await queryRunEvents(run, { file, op }, { pool, cacheDir: stringFlag(args, 'cache-dir') });
  let order = [...orderByTime(cols)];
  if (slowest !== undefined) order = order.sort((a, b) => cols.dur[b] - cols.dur[a]).slice(0, slowest);
  const json = args.flags.has('json');
  const max = limit ?? (json ? Infinity : 200);
  const t0 = run.totals.tsMin;
  const rows = order.slice(0, max).map((i) => ({
    trace: run.files[cols.trace[i]].path,
    line: cols.line[i],
    ts: cols.ts[i],
    relUs: cols.ts[i] - t0,
    dur: cols.dur[i],
    op: cols.opNames[cols.op[i]],
    cat: cols.catNames[cols.cat[i]],
    bytes: cols.bytes[i],
    offset: Number.isFinite(cols.fileOffset[i]) ? cols.fileOffset[i] : null,
    pid: cols.pid[i],
    tid: cols.tid[i],
  }));
  if (json) {
    writeJson(args, { file, op: op ?? null, total: cols.length, shown: rows.length, events: rows });
    return 0;
  }
  const header = eventsHeader({ file, op, total: cols.length, shown: rows.length, slowest });
  if (rows.length === 0) {
    process.stdout.write(header + '\n');
    return 0;
  }
  process.stdout.write(
    header +
      '\n' +
      table(
        ['>t+', 'op', '>dur', '>bytes', '>offset', '>pid', '>tid', 'trace:line'],
        rows.map((r) => [
          fmtUs(r.relUs),
          r.op,
          fmtUs(r.dur),
          fmtBytes(r.bytes),
          r.offset === null ? '-' : fmtInt(r.offset),
          String(r.pid),
          String(r.tid),
          `${shortPath(r.trace)}:${r.line}`,
        ]),
      ) +
      '\n',
  );
  return 0;
}

function parseTiers(spec: string | undefined): StorageTier[] {
  if (spec === undefined) return [...DEFAULT_TIERS];
  return spec.split(',').map((part) => {
    const eq = part.lastIndexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new UsageError(`--tiers: "${part}" is not PATTERN=LABEL`);
    return { pattern: part.slice(0, eq), label: part.slice(eq + 1) };
  });
}

async function compare(args: ParsedArgs, pool: WorkerPool): Promise<number> {
  if (args.positional.length < 2)
    throw new UsageError('compare needs a baseline folder and at least one other');
  const formats = ['json', 'markdown', 'csv'].filter((f) => args.flags.has(f));
  if (formats.length > 1) throw new UsageError(`choose one of --${formats.join(', --')}`);
  const tiers = parseTiers(stringFlag(args, 'tiers'));
  // each path is a run of its own
  const runs: RunSummary[] = [];
  for (const p of args.positional) {
    const run = await loadRun({ ...args, positional: [p] }, pool);
    if (!run) return 1;
    runs.push(run);
  }
  const flushTier = stringFlag(args, 'flush-tier') ?? 'PFS';
  if (!tiers.some((t) => t.label === flushTier))
    process.stderr.write(
      `dftrace: no tier is labelled "${flushTier}": flush time is unknown (--flush-tier)\n`,
    );
  const table: ComparisonTable = compareRuns(runs[0], runs.slice(1), { tiers, flushTier });
  const patterns = patternTable(runs, { tiers, labels: table.runs });
  if (args.flags.has('json')) {
    // NaN (a ratio against 0, a mean of no writes) becomes null
    writeJson(args, { ...table, patterns });
  } else if (args.flags.has('csv')) {
    process.stdout.write(toCsv(table));
  } else {
    const shown = 25;
    process.stdout.write(
      toMarkdown(table) +
        `\nPer file pattern (numbers stripped from names), by tier` +
        (patterns.rows.length > shown ? `, the ${shown} biggest writers of ${patterns.rows.length}` : '') +
        ':\n\n' +
        patternsToMarkdown(patterns, shown),
    );
  }
  return 0;
}

function shortPath(p: string): string {
  const parts = p.split('/');
  return parts.length > 2 ? join('…', parts[parts.length - 2], parts[parts.length - 1]) : p;
}

class ProgressBar {
  private lastWidth = 0;
  update(p: RunProgress): void {
    const frac = p.bytesTotal ? p.bytesDone / p.bytesTotal : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const mbs = p.elapsedMs > 0 ? p.bytesDone / 1e6 / (p.elapsedMs / 1000) : 0;
    const text =
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0)}%  ` +
      `${p.filesDone}/${p.filesTotal} files  ${fmtInt(p.events)} events  ${mbs.toFixed(0)} MB/s`;
    process.stderr.write('\r' + text.padEnd(this.lastWidth));
    this.lastWidth = text.length;
  }
  done(): void {
    if (this.lastWidth) process.stderr.write('\r' + ' '.repeat(this.lastWidth) + '\r');
  }
}

// `dftrace ... | head` closes the pipe early: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    if (e instanceof UsageError) {
      process.stderr.write(`dftrace: ${e.message}\nTry 'dftrace --help' for usage.\n`);
      process.exitCode = 2;
    } else if (e.name === 'AbortError') {
      process.stderr.write('dftrace: cancelled\n');
      process.exitCode = 130;
    } else {
      process.stderr.write(`dftrace: ${e.message}\n`);
      process.exitCode = 1;
    }
  },
);
