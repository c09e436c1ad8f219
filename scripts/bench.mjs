// Throughput and memory of `dftrace summarize` against the floor (gunzip alone) and DuckDB, on a
// synthetic 2M-event v1.0.15-style trace. Usage (after `npm run build`):
//   node scripts/bench.mjs [--events N] [--seed S] [--reps R] [--no-exact]
// The trace is generated once and cached under bench-data/, keyed by its parameters and by a hash
// of the generator's source. Prints one markdown table and the targets; exits non-zero only when a
// step crashed, since the numbers are a report, not a gate.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);

const BYTE_OPS = [
  'read',
  'write',
  'pread',
  'pwrite',
  'pread64',
  'pwrite64',
  'readv',
  'writev',
  'preadv',
  'pwritev',
  'preadv2',
  'pwritev2',
];

// ---------------------------------------------------------------------------------------------
// DuckDB child: `node scripts/bench.mjs --duckdb-child json|lines <file>` prints grouped rows as JSON.
// It runs as its own process so that its time and peak RSS are measured like the CLI's.

/**
 * `json`: read_json, the fast path a DuckDB user would write; `ignore_errors` skips the `[`/`]`
 * lines, but the error on `[` also swallows the line after it (the HH line in a v1.0.15 file).
 * `lines`: every line as text through read_csv, then json_transform: exact, and slower. The CASE
 * (not a WHERE, which the optimizer may order after the transform) keeps brackets from the parser.
 */
function duckdbSql(mode, file) {
  const f = file.replaceAll("'", "''");
  const argsType =
    'STRUCT(fhash VARCHAR, fname VARCHAR, name VARCHAR, value VARCHAR, ret BIGINT, size BIGINT)';
  const spec = JSON.stringify({
    name: 'VARCHAR',
    cat: 'VARCHAR',
    ph: 'VARCHAR',
    ts: 'UBIGINT',
    dur: 'UBIGINT',
    args: {
      fhash: 'VARCHAR',
      fname: 'VARCHAR',
      name: 'VARCHAR',
      value: 'VARCHAR',
      ret: 'BIGINT',
      size: 'BIGINT',
    },
  });
  const raw =
    mode === 'json'
      ? `SELECT name, cat, ph, ts, dur, args FROM read_json('${f}', format='newline_delimited', ignore_errors=true,
           columns={name:'VARCHAR', cat:'VARCHAR', ph:'VARCHAR', ts:'UBIGINT', dur:'UBIGINT', args:'${argsType}'})`
      : `SELECT j.name, j.cat, j.ph, j.ts, j.dur, j.args FROM (
           SELECT CASE WHEN trim(line) NOT IN ('[', ']', '][', '') THEN json_transform(trim(line), '${spec}') END AS j
           FROM read_csv('${f}', columns={'line':'VARCHAR'}, delim=chr(1), quote='', escape='', header=false,
             auto_detect=false, max_line_size=1048576))
         WHERE j IS NOT NULL`;
  const byteOps = BYTE_OPS.map((o) => `'${o}'`).join(',');
  // read_json: scanning twice (FH lines, then events) measured faster than materializing the rows;
  // the line-exact path is the other way round, its json_transform being the expensive part
  const materialized = mode === 'json' ? 'NOT MATERIALIZED' : 'MATERIALIZED';
  return `
    WITH raw AS ${materialized} (${raw}),
    fh AS (SELECT args.value AS h, any_value(args.name) AS path FROM raw
           WHERE name = 'FH' AND ph IN ('M', '4') GROUP BY 1),
    ev AS (
      SELECT CASE WHEN r.ph IN ('M', '4') THEN 'M' WHEN r.ph IS NULL OR r.ph IN ('X', '1') THEN 'X' ELSE 'C' END AS kind,
        r.cat, r.name AS op, r.ts, r.dur,
        CASE WHEN r.cat IN ('POSIX', 'STDIO') THEN coalesce(r.args.fname, fh.path, 'fhash:' || r.args.fhash, '') END AS file,
        CASE WHEN r.name IN (${byteOps}) THEN greatest(coalesce(r.args.ret, 0), 0)
             WHEN r.name IN ('fread', 'fwrite') THEN coalesce(r.args.ret, 0) * coalesce(r.args.size, 0)
             ELSE 0 END AS bytes
      FROM raw r LEFT JOIN fh ON r.args.fhash = fh.h
      WHERE r.name IS NOT NULL)
    SELECT kind, cat, op, file, count(*) AS n, sum(bytes) AS bytes, sum(dur) AS durUs,
      min(ts) AS tsMin, max(ts + dur) AS tsMax
    FROM ev GROUP BY ALL`;
}

async function duckdbChild(mode, file) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run('SET threads=2');
  const res = await con.runAndReadAll(duckdbSql(mode, file));
  process.stdout.write(JSON.stringify(res.getRowObjectsJson()));
}

// ---------------------------------------------------------------------------------------------

function flag(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const events = flag('--events', 2_000_000);
const seed = flag('--seed', 1);
const reps = Math.max(1, flag('--reps', 1));
const exact = !process.argv.includes('--no-exact');
const COPIES = 4;
/** Files in the many-files run. */
const MANY = 16;

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const sortOps = (rows) => rows.sort((a, b) => cmp(a.file, b.file) || cmp(a.cat, b.cat) || cmp(a.op, b.op));

/** Generates (or reuses) the trace, its expected totals, and a folder of copies for the run measurement. */
function prepare(events, seed, COPIES, era = '2025') {
  const synth = ['src/synth/bench-trace.ts', 'src/synth/trace-writer.ts'];
  const h = createHash('sha256');
  for (const f of synth) h.update(fs.readFileSync(path.join(root, f)));
  // the 2023 era is one gzip member (every tracer before v1.0.15), quoted numbers and plain `fname`
  const key = `dlio-${era}-e${events}-s${seed}-${h.digest('hex').slice(0, 10)}`;
  // copies are links (or copies) of the one trace
  const dir = path.join(root, 'bench-data', key);
  const trace = path.join(dir, 'trace-0-of-1.pfw.gz');
  const expectFile = path.join(dir, 'expect.json');
  const runDir = path.join(dir, `run${COPIES}`);
  if (!fs.existsSync(expectFile)) {
    fs.mkdirSync(dir, { recursive: true });
    const bundle = path.join(dir, 'bench-trace.cjs');
    const esbuild = path.join(root, 'node_modules/.bin/esbuild');
    const r = spawnSync(
      esbuild,
      [
        'src/synth/bench-trace.ts',
        '--bundle',
        '--platform=node',
        '--format=cjs',
        `--outfile=${bundle}`,
        '--log-level=warning',
      ],
      { cwd: root, stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error('esbuild of the generator failed');
    console.error(
      `generating ${events.toLocaleString('en-US')} events (seed ${seed}) into ${path.relative(root, trace)} ...`,
    );
    const t0 = performance.now();
    const { generateBenchTrace } = createRequire(import.meta.url)(bundle);
    const tmp = trace + '.tmp';
    const expect = generateBenchTrace(tmp, { events, seed, era, gzip: true });
    fs.renameSync(tmp, trace);
    expect.path = trace;
    console.error(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    fs.rmSync(runDir, { recursive: true, force: true });
    fs.mkdirSync(runDir);
    for (let i = 0; i < COPIES; i++) {
      const copy = path.join(runDir, `trace-${i}-of-${COPIES}.pfw.gz`);
      try {
        fs.linkSync(trace, copy);
      } catch {
        fs.copyFileSync(trace, copy);
      }
    }
    // written last: its presence means the case is complete
    fs.writeFileSync(expectFile, JSON.stringify(expect));
  }
  return { trace, runDir, expect: JSON.parse(fs.readFileSync(expectFile, 'utf8')) };
}

/** A folder of `n` links to (or copies of) one trace: a run of `n` processes that traced the same work. */
function copiesOf(trace, n) {
  const dir = path.join(path.dirname(trace), `copies${n}`);
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    for (let i = 0; i < n; i++) {
      const copy = path.join(dir, `trace-${i}-of-${n}.pfw.gz`);
      try {
        fs.linkSync(trace, copy);
      } catch {
        fs.copyFileSync(trace, copy);
      }
    }
    fs.writeFileSync(path.join(dir, '.complete'), '');
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Floor child: `node scripts/bench.mjs --floor-child <file>...` inflates the files with node:zlib alone, as many at
// once as there are cores (one gzip member can only be inflated by one thread), and prints the bytes of text.
function floorChild(files) {
  return new Promise((resolve) => {
    const zlib = createRequire(import.meta.url)('node:zlib');
    let total = 0;
    let next = 0;
    let running = 0;
    const start = () => {
      while (running < os.availableParallelism() && next < files.length) {
        running++;
        fs.createReadStream(files[next++], { highWaterMark: 1 << 20 })
          .pipe(zlib.createGunzip({ chunkSize: 1 << 18 }))
          .on('data', (b) => (total += b.length))
          .on('end', () => {
            running--;
            if (next < files.length) start();
            else if (running === 0) {
              console.log(total);
              resolve();
            }
          });
      }
    };
    start();
  });
}

const TIME = '/usr/bin/time';
const haveTime = fs.existsSync(TIME);

/** Runs a command as one child process; returns wall seconds, peak RSS (MiB) and its stdout. */
function run(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    const timeOut = path.join(root, 'bench-data', `.time-${process.pid}`);
    const argv = haveTime ? ['-f', '%M %e', '-o', timeOut, cmd, ...args] : args;
    const t0 = performance.now();
    const child = spawn(haveTime ? TIME : cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    let hwmKb = 0;
    // without GNU time, VmHWM (the kernel's own peak RSS of the process) read until it exits
    const poll = haveTime
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
          } catch {
            // the process has just exited
          }
        }, 20);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (poll) clearInterval(poll);
      let stderr = Buffer.concat(err).toString('utf8');
      if (haveTime) {
        const lines = fs.readFileSync(timeOut, 'utf8').trim().split('\n');
        fs.rmSync(timeOut, { force: true });
        hwmKb = Number(lines.at(-1).split(' ')[0]);
        if (lines.length > 1) stderr += lines.slice(0, -1).join('\n');
      }
      resolve({ code, seconds, rssMB: hwmKb / 1024, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/**
 * Best time and worst RSS over the repetitions; the first failure ends the series. `check` returns
 * an error message for output that is wrong, so that a fast but broken repetition is not the best.
 */
/**
 * The rows the targets compare (floor, CLI, DuckDB on the one file), measured in rounds: each round runs each of
 * them once, and each keeps its best round. This VM's speed drifts by tens of percent within minutes; measured one
 * after the other, a slow spell during one tool's repetitions skews the ratio, while in rounds every tool gets the
 * same chances at the quiet moments.
 */
async function measureInRounds(specs) {
  const best = specs.map(() => undefined);
  for (let i = 0; i < reps; i++) {
    for (const [k, s] of specs.entries()) {
      if (best[k]?.failed) continue;
      best[k] = keepBest(best[k], await runChecked(s.label, s.cmd, s.args, s.check));
    }
  }
  return best;
}

async function runChecked(label, cmd, args, check, env) {
  const r = await run(cmd, args, env);
  const problem = r.code !== 0 ? `exit code ${r.code}` : check(r.stdout);
  if (!problem) return r;
  console.error(`${label}: ${problem}\n${r.stderr.split('\n').slice(-20).join('\n')}`);
  return { ...r, failed: true, problem };
}

/** The faster of two runs, with the higher peak RSS of both; a failed run wins (it is reported). */
function keepBest(best, r) {
  if (r.failed) return r;
  if (!best || r.seconds < best.seconds) return { ...r, rssMB: Math.max(r.rssMB, best?.rssMB ?? 0) };
  best.rssMB = Math.max(best.rssMB, r.rssMB);
  return best;
}

async function measure(label, cmd, args, check = () => undefined, times = reps, env = undefined) {
  let best;
  for (let i = 0; i < times && !best?.failed; i++)
    best = keepBest(best, await runChecked(label, cmd, args, check, env));
  return best;
}

const jsonCheck = (stdout) => {
  try {
    JSON.parse(stdout);
    return undefined;
  } catch (e) {
    return `output is not JSON (${stdout.length} bytes): ${e.message}`;
  }
};

function num(v) {
  return typeof v === 'number' ? v : Number(v);
}

/** Ops, totals and categories out of the DuckDB child's grouped rows. */
function fromDuckdb(rows) {
  const ops = [];
  const categories = {};
  let eventsN = 0;
  let metadata = 0;
  let counters = 0;
  let tsMin = Infinity;
  let tsMax = -Infinity;
  for (const r of rows) {
    const n = num(r.n);
    if (r.kind === 'M') metadata += n;
    else if (r.kind === 'C') counters += n;
    else {
      eventsN += n;
      tsMin = Math.min(tsMin, num(r.tsMin));
      tsMax = Math.max(tsMax, num(r.tsMax));
      const c = (categories[r.cat] ??= { count: 0, durUs: 0 });
      c.count += n;
      c.durUs += num(r.durUs);
      if (r.cat === 'POSIX' || r.cat === 'STDIO') {
        ops.push({ file: r.file, cat: r.cat, op: r.op, count: n, bytes: num(r.bytes), durUs: num(r.durUs) });
      }
    }
  }
  return { ops: sortOps(ops), totals: { events: eventsN, metadata, counters, tsMin, tsMax }, categories };
}

function normOps(ops, factor = 1) {
  return sortOps(
    ops.map((o) => ({
      file: o.file,
      cat: o.cat,
      op: o.op,
      count: num(o.count) * factor,
      bytes: num(o.bytes) * factor,
      durUs: num(o.durUs) * factor,
    })),
  );
}

/** First differences between two sorted op lists (empty when equal). */
function diffOps(a, b, limit = 5) {
  const key = (o) => `${o.file}\u0000${o.cat}\u0000${o.op}`;
  const mb = new Map(b.map((o) => [key(o), o]));
  const ma = new Map(a.map((o) => [key(o), o]));
  const out = [];
  for (const o of a) {
    const p = mb.get(key(o));
    if (!p) out.push(`only in first: ${JSON.stringify(o)}`);
    else if (p.count !== o.count || p.bytes !== o.bytes || p.durUs !== o.durUs)
      out.push(`${JSON.stringify(o)} vs ${JSON.stringify(p)}`);
    if (out.length >= limit) return out;
  }
  for (const o of b) {
    if (!ma.has(key(o))) out.push(`only in second: ${JSON.stringify(o)}`);
    if (out.length >= limit) break;
  }
  return out;
}

function agreement(label, got, want, fields) {
  const problems = diffOps(got.ops, want.ops);
  for (const f of fields) {
    if (num(got.totals[f]) !== num(want.totals[f]))
      problems.push(`${f}: ${got.totals[f]} vs ${want.totals[f]}`);
  }
  const verdict = problems.length === 0 ? 'AGREE' : 'DISAGREE';
  console.log(`- ${label}: **${verdict}** (${want.ops.length} op rows; ${fields.join(', ')})`);
  for (const p of problems.slice(0, 8)) console.log(`  - ${p}`);
  return problems.length === 0;
}

const fmt = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '-');

async function main() {
  // read before generating, which would otherwise count as load itself
  const [load] = os.loadavg();
  const { trace, runDir, expect } = prepare(events, seed, COPIES);
  // the usual shape of a real run: many smaller files (one per process), the same number of events in all
  const many = prepare(Math.round(events / MANY), seed + 1, MANY);
  const cli = path.join(root, 'dist/cli.js');
  const haveCli = fs.existsSync(cli);
  let haveDuck = true;
  try {
    createRequire(import.meta.url)('@duckdb/node-api');
  } catch (e) {
    haveDuck = false;
    console.error(`DuckDB skipped: require('@duckdb/node-api') failed: ${e.message}`);
  }
  const mb = expect.textBytes / 1e6;
  console.log(
    `\nTrace: ${path.relative(root, trace)}: ${expect.events.toLocaleString('en-US')} events, ` +
      `${expect.metadata} metadata lines, ${fmt(mb, 1)} MB of text in ${expect.members} gzip members ` +
      `(${fmt(expect.fileBytes / 1e6, 1)} MB on disk); ${expect.ops.length} (file, cat, op) rows; ` +
      `peak RSS via ${haveTime ? TIME : '/proc/<pid>/status VmHWM'}; best of ${reps} ` +
      `(the floor, the CLI and DuckDB on the file in ${reps} interleaved rounds).`,
  );
  // the targets compare wall times, which other work on the same cores skews
  const cores = os.availableParallelism();
  const busy = load > cores / 2 ? ' (busy: times are inflated)' : '';
  console.log(`Load average at start: ${load.toFixed(2)} on ${cores} cores${busy}.\n`);

  const rows = [];
  let crashed = false;
  /** `scale`: the row's events and text as a multiple of the file's (the floor and DuckDB scale with it). */
  /** `own`: the row's own text MB, floor and DuckDB seconds, for shapes measured against themselves. */
  const add = (label, r, scale, events = expect.events * scale, own = undefined) => {
    if (r.failed) crashed = true;
    rows.push({ label, r, scale, events, own });
    return r;
  };
  const node = process.execPath;
  const gunzip = (opts) =>
    `const z=require('node:zlib'),fs=require('node:fs');let n=0;fs.createReadStream(process.argv[1]${opts[0]})` +
    `.pipe(z.createGunzip(${opts[1]})).on('data',b=>{n+=b.length}).on('end',()=>console.log(n))`;

  const sizeCheck = (stdout) =>
    Number(stdout.trim()) === expect.textBytes
      ? undefined
      : `gunzip gave ${stdout.trim()} bytes, not ${expect.textBytes}`;
  const single = [
    { label: 'gunzip', cmd: node, args: ['-e', gunzip(['', '']), trace], check: sizeCheck },
    {
      label: 'gunzip',
      cmd: node,
      args: ['-e', gunzip([',{highWaterMark:1<<20}', '{chunkSize:1<<18}']), trace],
      check: sizeCheck,
    },
    ...(haveCli
      ? [{ label: 'cli', cmd: node, args: [cli, 'summarize', trace, '--json'], check: jsonCheck }]
      : []),
    ...(haveDuck
      ? [{ label: 'duckdb', cmd: node, args: [self, '--duckdb-child', 'json', trace], check: jsonCheck }]
      : []),
  ];
  const measured = await measureInRounds(single);
  const g1 = add('gunzip floor (createGunzip, defaults)', measured[0], 1);
  const g2 = add('gunzip floor (1 MiB reads, 256 KiB chunks)', measured[1], 1);
  const floor = Math.min(g1.failed ? Infinity : g1.seconds, g2.failed ? Infinity : g2.seconds);

  let cliFile;
  let cliRun;
  if (haveCli) {
    cliFile = add('dftrace summarize (file)', measured[2], 1);
  } else {
    console.error('CLI skipped: dist/cli.js not found (run `npm run build` once src/cli exists)');
  }
  let duck;
  let duckExact;
  if (haveDuck) {
    duck = add('DuckDB read_json, 2 threads', measured[haveCli ? 3 : 2], 1);
    if (exact) {
      duckExact = add(
        'DuckDB read_csv + json_transform (line-exact), 2 threads',
        await measure('duckdb-exact', node, [self, '--duckdb-child', 'lines', trace], jsonCheck, 1),
        1,
      );
    }
  }
  let cliMany;
  if (haveCli) {
    cliRun = add(
      `dftrace summarize (folder of ${COPIES} copies)`,
      await measure('cli-run', node, [cli, 'summarize', runDir, '--json'], jsonCheck),
      COPIES,
    );
    cliMany = add(
      `dftrace summarize (${MANY} files of ${many.expect.events.toLocaleString('en-US')} events)`,
      await measure('cli-many', node, [cli, 'summarize', many.runDir, '--json'], jsonCheck),
      (MANY * many.expect.textBytes) / expect.textBytes,
      MANY * many.expect.events,
    );
  }

  // every other shape of FORMAT.md that decides speed: one gzip member (2023: quoted numbers, fname), and runs of
  // 16 files of both eras; each against its own floor (node:zlib alone on all cores) and DuckDB, in rounds
  const shapes = [];
  if (!process.argv.includes('--no-shapes')) {
    const old = prepare(events, seed, COPIES, '2023');
    shapes.push(
      { label: '2023 one-member file', paths: [old.trace], expect: old.expect, n: 1 },
      {
        label: `${MANY} copies of the 2023 file`,
        paths: [copiesOf(old.trace, MANY)],
        expect: old.expect,
        n: MANY,
      },
      { label: `${MANY} copies of the 2025 file`, paths: [copiesOf(trace, MANY)], expect, n: MANY },
    );
  }
  const extLoad = haveCli ? bundleExtLoad() : undefined;
  for (const sh of shapes) {
    const files = sh.paths.flatMap((p) =>
      fs.statSync(p).isDirectory()
        ? fs
            .readdirSync(p)
            .filter((f) => f.endsWith('.gz'))
            .map((f) => path.join(p, f))
        : [p],
    );
    const text = sh.expect.textBytes * sh.n;
    const specs = [
      {
        label: `floor ${sh.label}`,
        cmd: node,
        args: [self, '--floor-child', ...files],
        check: (out) =>
          Number(out.trim()) === text ? undefined : `gunzip gave ${out.trim()} bytes, not ${text}`,
      },
      ...(haveCli
        ? [
            {
              label: `cli ${sh.label}`,
              cmd: node,
              args: [cli, 'summarize', ...sh.paths, '--json'],
              check: jsonCheck,
            },
          ]
        : []),
      ...(haveDuck
        ? [
            {
              label: `duckdb ${sh.label}`,
              cmd: node,
              args: [
                self,
                '--duckdb-child',
                'json',
                sh.n === 1 ? files[0] : path.join(sh.paths[0], '*.pfw.gz'),
              ],
              check: jsonCheck,
            },
          ]
        : []),
    ];
    const m = await measureInRounds(specs);
    const own = { mb: text / 1e6, floor: m[0].failed ? NaN : m[0].seconds };
    const duckRow = haveDuck ? m[m.length - 1] : undefined;
    own.duck = duckRow && !duckRow.failed ? duckRow.seconds : NaN;
    const evs = sh.expect.events * sh.n;
    add(`gunzip floor, all cores (${sh.label})`, m[0], sh.n, evs, own);
    if (haveCli) sh.cli = add(`dftrace summarize (${sh.label})`, m[1], sh.n, evs, own);
    if (duckRow) sh.duck = add(`DuckDB read_json, 2 threads (${sh.label})`, duckRow, sh.n, evs, own);
    // the extension's load path (the same engine call RunRegistry makes, with its cache), cold then reopened
    if (extLoad && sh.n === 1) {
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dftrace-bench-cache-'));
      const ext = [extLoad, cacheDir, ...sh.paths];
      const env = { ...process.env, DFTRACE_WORKER: path.join(root, 'dist/worker.js') };
      const eventsCheck = (out) => (JSON.parse(out).events === evs ? undefined : `events: ${out}`);
      sh.extCold = add(
        `extension load path, cold (${sh.label})`,
        await runChecked('ext-cold', node, ext, eventsCheck, env),
        sh.n,
        evs,
        own,
      );
      sh.extWarm = add(
        `extension load path, reopened from its cache (${sh.label})`,
        await measure('ext-warm', node, ext, eventsCheck, reps, env),
        sh.n,
        evs,
        own,
      );
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  }

  const duckSeconds = duck && !duck.failed ? duck.seconds : NaN;
  console.log('| tool | seconds | events/s | MB/s (text) | peak RSS MB | vs gunzip floor | vs DuckDB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const { label, r, scale, events: n, own } of rows) {
    if (r.failed) {
      console.log(`| ${label} | failed: ${r.problem} | | | | | |`);
      continue;
    }
    const mark = scale !== 1 && !own ? ' *' : '';
    const rowMb = own ? own.mb : mb * scale;
    const rowFloor = own ? own.floor : floor * scale;
    const rowDuck = own ? own.duck : duckSeconds * scale;
    console.log(
      `| ${label} | ${fmt(r.seconds)} | ${Math.round(n / r.seconds).toLocaleString('en-US')} | ` +
        `${fmt(rowMb / r.seconds, 0)} | ${fmt(r.rssMB, 0)} | ${fmt(r.seconds / rowFloor)}x${mark} | ` +
        `${fmt(r.seconds / rowDuck)}x${mark} |`,
    );
  }
  console.log(
    `\n\\* against the single-file times scaled by the row's text (${COPIES}x for the copies). ` +
      'MB = 10^6 bytes of uncompressed text; RSS in MiB.\n',
  );

  // --- agreement ---
  const want = { ops: normOps(expect.ops), totals: expect };
  let cliParsed;
  if (cliFile && !cliFile.failed) {
    try {
      const j = JSON.parse(cliFile.stdout);
      cliParsed = { ops: normOps(j.ops ?? []), totals: j.totals ?? {} };
    } catch (e) {
      console.log(`- CLI output is not JSON: ${e.message}`);
      crashed = true;
    }
  }
  const duckParsed = duck && !duck.failed ? fromDuckdb(JSON.parse(duck.stdout)) : undefined;
  const exactParsed = duckExact && !duckExact.failed ? fromDuckdb(JSON.parse(duckExact.stdout)) : undefined;
  const totalsFields = ['events', 'metadata', 'tsMin', 'tsMax'];
  console.log('Agreement:');
  if (cliParsed && duckParsed)
    agreement('CLI vs DuckDB (read_json)', cliParsed, duckParsed, ['events', 'tsMin', 'tsMax']);
  if (cliParsed) agreement('CLI vs generator expectation', cliParsed, want, [...totalsFields, 'badLines']);
  if (duckParsed) {
    agreement('DuckDB (read_json) vs generator expectation', duckParsed, want, ['events', 'tsMin', 'tsMax']);
    const lost = expect.metadata - duckParsed.totals.metadata;
    if (lost !== 0)
      console.log(`  - read_json+ignore_errors lost ${lost} metadata line(s): the line after \`[\``);
  }
  if (exactParsed) agreement('DuckDB (line-exact) vs generator expectation', exactParsed, want, totalsFields);
  if (cliRun && !cliRun.failed) {
    try {
      const j = JSON.parse(cliRun.stdout);
      const got = { ops: normOps(j.ops ?? []), totals: j.totals ?? {} };
      const wantRun = {
        ops: normOps(expect.ops, COPIES),
        totals: { ...expect, events: expect.events * COPIES, metadata: expect.metadata * COPIES },
      };
      agreement(`CLI on ${COPIES} copies vs ${COPIES}x expectation`, got, wantRun, totalsFields);
    } catch (e) {
      console.log(`- CLI folder output is not JSON: ${e.message}`);
      crashed = true;
    }
  }

  if (cliMany && !cliMany.failed) {
    try {
      const j = JSON.parse(cliMany.stdout);
      const got = { ops: normOps(j.ops ?? []), totals: j.totals ?? {} };
      const e = many.expect;
      const wantMany = {
        ops: normOps(e.ops, MANY),
        totals: { ...e, events: e.events * MANY, metadata: e.metadata * MANY },
      };
      agreement(`CLI on ${MANY} files vs ${MANY}x their expectation`, got, wantMany, totalsFields);
    } catch (e) {
      console.log(`- CLI many-files output is not JSON: ${e.message}`);
      crashed = true;
    }
  }

  // --- targets ---
  const target = (label, ok) =>
    console.log(`- ${label}: ${ok === undefined ? 'SKIPPED' : ok ? 'PASS' : 'FAIL'}`);
  const usable = (r) => r && !r.failed;
  console.log('\nTargets:');
  target(
    `CLI time <= DuckDB time (${fmt(cliFile?.seconds)} s vs ${fmt(duckSeconds)} s)`,
    usable(cliFile) && usable(duck) ? cliFile.seconds <= duck.seconds : undefined,
  );
  target(
    `CLI time <= 2.5x gunzip floor (${fmt(cliFile?.seconds)} s vs ${fmt(2.5 * floor)} s)`,
    usable(cliFile) && Number.isFinite(floor) ? cliFile.seconds <= 2.5 * floor : undefined,
  );
  target(
    `CLI peak RSS <= 300 MB, file (${fmt(cliFile?.rssMB, 0)} MB)`,
    usable(cliFile) ? cliFile.rssMB <= 300 : undefined,
  );
  target(
    `CLI peak RSS <= 300 MB, ${COPIES}-copy run (${fmt(cliRun?.rssMB, 0)} MB)`,
    usable(cliRun) ? cliRun.rssMB <= 300 : undefined,
  );
  for (const sh of shapes) {
    const usableRow = (r) => r && !r.failed;
    target(
      `CLI time <= DuckDB time, ${sh.label} (${fmt(sh.cli?.seconds)} s vs ${fmt(sh.duck?.seconds)} s)`,
      usableRow(sh.cli) && usableRow(sh.duck) ? sh.cli.seconds <= sh.duck.seconds : undefined,
    );
    target(
      `CLI peak RSS <= 300 MB, ${sh.label} (${fmt(sh.cli?.rssMB, 0)} MB)`,
      usableRow(sh.cli) ? sh.cli.rssMB <= 300 : undefined,
    );
    if (sh.extCold)
      target(
        `extension load path within 15% of the CLI, ${sh.label} (${fmt(sh.extCold.seconds)} s vs ${fmt(sh.cli?.seconds)} s)`,
        usableRow(sh.extCold) && usableRow(sh.cli) ? sh.extCold.seconds <= 1.15 * sh.cli.seconds : undefined,
      );
    if (sh.extWarm)
      target(
        `reopen from the cache <= 1 s, ${sh.label} (${fmt(sh.extWarm.seconds)} s)`,
        usableRow(sh.extWarm) ? sh.extWarm.seconds <= 1 : undefined,
      );
    if (usableRow(sh.cli)) {
      try {
        const j = JSON.parse(sh.cli.stdout);
        const e = sh.expect;
        const want = {
          ops: normOps(e.ops, sh.n),
          totals: { ...e, events: e.events * sh.n, metadata: e.metadata * sh.n },
        };
        agreement(
          `CLI on ${sh.label} vs expectation`,
          { ops: normOps(j.ops ?? []), totals: j.totals ?? {} },
          want,
          ['events', 'metadata', 'tsMin', 'tsMax'],
        );
      } catch (e) {
        console.log(`- CLI output on ${sh.label} is not JSON: ${e.message}`);
        crashed = true;
      }
    }
    if (usableRow(sh.duck)) {
      const d = fromDuckdb(JSON.parse(sh.duck.stdout));
      const e = sh.expect;
      agreement(
        `DuckDB on ${sh.label} vs expectation`,
        d,
        { ops: normOps(e.ops, sh.n), totals: { ...e, events: e.events * sh.n } },
        ['events', 'tsMin', 'tsMax'],
      );
    }
  }
  if (crashed) process.exitCode = 1;
}

/** The extension's load path as a script of its own (scripts/ext-load.ts bundled with the engine). */
function bundleExtLoad() {
  const out = path.join(root, 'bench-data', 'ext-load.cjs');
  const esbuild = path.join(root, 'node_modules/.bin/esbuild');
  const r = spawnSync(
    esbuild,
    [
      'scripts/ext-load.ts',
      '--bundle',
      '--platform=node',
      '--format=cjs',
      `--outfile=${out}`,
      '--log-level=warning',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  return r.status === 0 ? out : undefined;
}

// exiting explicitly would cut the child's stdout short when it is a pipe: let both end by themselves
(process.argv[2] === '--duckdb-child'
  ? duckdbChild(process.argv[3], process.argv[4])
  : process.argv[2] === '--floor-child'
    ? floorChild(process.argv.slice(3))
    : main()
).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
