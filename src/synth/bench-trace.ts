/**
 * A synthetic DLIO-like training run traced by DFTracer (one process): data loader workers read
 * a few hundred sample files on Lustre, the main thread computes and checkpoints now and then, and
 * a log is appended through STDIO. The generator knows every value it writes, so it also returns
 * the totals that FORMAT.md's summary contract implies, computed here and not by any engine code.
 */
import { TraceWriter, type ArgValue, type CompleteEventInput, type Era } from './trace-writer';
import { rng } from './random';

export interface BenchTraceOptions {
  /** Complete events in the file, `start`/`end` included (exact; at least dataFiles + ~20). Default 2,000,000. */
  events?: number;
  seed?: number;
  era?: Era;
  /** Default: `path` ends with `.gz`. */
  gzip?: boolean;
  /** Text bytes per gzip member (see TraceWriterOptions.memberBytes). */
  memberBytes?: number;
  /** Sample files in the training set. Default 320. */
  dataFiles?: number;
  pid?: number;
  hostname?: string;
}

/** One row of the summary contract: complete events of one op on one file in one of POSIX/STDIO. */
export interface OpTotal {
  file: string;
  cat: string;
  op: string;
  count: number;
  bytes: number;
  durUs: number;
}

export interface BenchExpectation {
  path: string;
  era: Era;
  seed: number;
  events: number;
  metadata: number;
  counters: number;
  badLines: number;
  tsMin: number;
  tsMax: number;
  /** Complete events per `cat` (every category, not only POSIX/STDIO). */
  categories: Record<string, { count: number; durUs: number }>;
  /** Sorted by file, then cat, then op (code-unit order). */
  ops: OpTotal[];
  /** Distinct non-empty files of POSIX/STDIO events. */
  files: number;
  textBytes: number;
  fileBytes: number;
  members: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

const BYTE_OPS = new Set([
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
]);

const ERA_EPOCH_US: Record<Era, number> = {
  '2023': 1698080323775554,
  '2025': 1760614064024181,
  '2026': 1767312000000000,
};

const ROOT = '/p/lustre3/iopp/dlio';
const DATA_DIR = `${ROOT}/data/unet3d/train`;
const CKPT_DIR = `${ROOT}/checkpoint/unet3d`;
const OUT_DIR = `${ROOT}/output/unet3d`;
const LOG_FILE = `${OUT_DIR}/dlio.log`;
const CONFIG_FILE = `${OUT_DIR}/.hydra/config.yaml`;

const WORKERS = 4;
const BATCH = 4;
const READ_CHUNK = MiB;
const CKPT_CHUNK = 4 * MiB;
const CKPT_LAYERS = 4;

function contractBytes(op: string, args: Record<string, ArgValue | undefined> | undefined): number {
  if (!args) return 0;
  const ret = Number(args.ret ?? 0);
  if (BYTE_OPS.has(op)) return ret > 0 ? ret : 0;
  if (op === 'fread' || op === 'fwrite') return ret * Number(args.size ?? 0);
  return 0;
}

interface Pending extends CompleteEventInput {
  tid: number;
}

export function generateBenchTrace(path: string, options: BenchTraceOptions = {}): BenchExpectation {
  const target = options.events ?? 2_000_000;
  const seed = options.seed ?? 1;
  const era = options.era ?? '2025';
  if (!Number.isInteger(target) || target < 200)
    throw new Error(`events must be an integer >= 200, got ${target}`);
  const rand = rng(seed * 2654435761 + 1);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pid = options.pid ?? 40000 + (seed % 20000);
  const hostname = options.hostname ?? `corona${100 + (seed % 150)}`;
  const nFiles = options.dataFiles ?? 320;
  const hashed = era !== '2023';
  const lifecycleEvents = hashed ? 2 : 0;

  const ops = new Map<string, OpTotal>();
  const categories: Record<string, { count: number; durUs: number }> = {};
  const usedFiles = new Set<string>();
  let events = 0;
  let tsMin = Infinity;
  let tsMax = -Infinity;

  const commit = (batch: Pending[]) => {
    for (const ev of batch) {
      writer.complete(ev);
      events++;
      const c = (categories[ev.cat] ??= { count: 0, durUs: 0 });
      c.count++;
      c.durUs += ev.dur;
      if (ev.ts < tsMin) tsMin = ev.ts;
      if (ev.ts + ev.dur > tsMax) tsMax = ev.ts + ev.dur;
      if (ev.cat !== 'POSIX' && ev.cat !== 'STDIO') continue;
      const file = ev.args?.fname === undefined ? '' : String(ev.args.fname);
      if (file !== '') usedFiles.add(file);
      const key = `${file}\u0000${ev.cat}\u0000${ev.name}`;
      let row = ops.get(key);
      if (!row) {
        row = { file, cat: ev.cat, op: ev.name, count: 0, bytes: 0, durUs: 0 };
        ops.set(key, row);
      }
      row.count++;
      row.bytes += contractBytes(ev.name, ev.args);
      row.durUs += ev.dur;
    }
  };

  const files = Array.from({ length: nFiles }, (_, i) => ({
    path: `${DATA_DIR}/img_${String(i + 1).padStart(4, '0')}_of_${String(nFiles).padStart(4, '0')}.npz`,
    size: int(2 * MiB, 8 * MiB) + int(0, 4095),
  }));
  const mainTid = pid;
  const workerTids = Array.from({ length: WORKERS }, (_, i) => pid + 17 + i * 3);
  const gap = () => int(2, 40);
  // Python-side events carry the call tree from 2024 on; the writer drops it for 2023
  const tree = (parent: number, level: number) => (hashed ? { p_idx: parent, level } : {});

  let now = ERA_EPOCH_US[era] + seed * 1000;
  const startTs = now;
  const writer = new TraceWriter({
    era,
    pid,
    hostname,
    gzip: options.gzip ?? path.endsWith('.gz'),
    memberBytes: options.memberBytes,
    path,
    cwd: OUT_DIR,
    cmdline: `python;dlio_benchmark;workload=unet3d;++workload.dataset.data_folder=${ROOT}/data/unet3d`,
    exe: 'dlio_benchmark',
    startTs,
  });

  // --- initialisation: read the config through STDIO, walk the data folder, open the log ---
  const init: Pending[] = [];
  {
    const t = now;
    let c = t + 200;
    const ev = (name: string, cat: string, dur: number, args: Pending['args']) => {
      init.push({ name, cat, tid: mainTid, ts: c, dur, args });
      c += dur + gap();
    };
    ev('fopen', 'STDIO', int(80, 400), { fname: CONFIG_FILE, mode: 'r' });
    ev('fread', 'STDIO', int(20, 90), { ret: 1834, size: 1, count: 4096, fname: CONFIG_FILE });
    ev('fread', 'STDIO', int(2, 9), { ret: 0, size: 1, count: 4096, fname: CONFIG_FILE });
    ev('fclose', 'STDIO', int(3, 20), { ret: 0, fname: CONFIG_FILE });
    ev('ConfigArguments.validate', 'config', int(100, 300), {});
    ev('opendir', 'POSIX', int(1000, 4000), { fname: DATA_DIR });
    for (const f of files) ev('__xstat64', 'POSIX', int(20, 500), { ret: 0, fname: f.path });
    ev('mkdir', 'POSIX', int(50, 300), { ret: 0, fname: CKPT_DIR, mode: 493 });
    ev('fopen', 'STDIO', int(80, 400), { fname: LOG_FILE, mode: 'a' });
    init.push({
      name: 'DLIOBenchmark.initialize',
      cat: 'dlio_benchmark',
      tid: mainTid,
      ts: t,
      dur: c - t,
      args: {},
    });
    now = c + gap();
  }
  // start, the init batch, and the tail (log fclose, finalize, end) always fit
  const tailEvents = 2;
  let budget = target - lifecycleEvents - tailEvents - init.length;
  if (budget < 0) throw new Error(`events must be >= ${target - budget} with ${nFiles} data files`);
  commit(init);

  // --- training: steps of BATCH samples over WORKERS threads, a checkpoint every few steps ---
  const stepsPerEpoch = Math.ceil(nFiles / BATCH);
  // about 45 events per step: checkpoint ~40 times per run whatever its size, at least every 10 steps
  const ckptEvery = Math.max(10, Math.round(target / 45 / 40));
  let order: number[] = [];
  let epoch = 0;
  let step = 0;
  const fds = [20, 21, 22, 23];

  const sampleEvents = (
    tid: number,
    fd: number,
    fileIdx: number,
    imageIdx: number,
    t0: number,
    out: Pending[],
  ) => {
    const f = files[fileIdx];
    const parent = writer.reserveId();
    let c = t0 + int(5, 30);
    const io = (name: string, dur: number, args: Pending['args']) => {
      out.push({ name, cat: 'POSIX', tid, ts: c, dur, args: { ...tree(parent, 4), ...args } });
      c += dur + gap();
    };
    io('open64', int(100, 3000), { ret: fd, fname: f.path, flags: 524288 });
    io('__fxstat64', int(3, 60), { ret: 0, fd, fname: f.path });
    if (rand() < 0.7) {
      io('lseek64', int(1, 5), { ret: 0, whence: 0, offset: 0, fname: f.path, fd });
      for (let off = 0; off < f.size; off += READ_CHUNK) {
        const n = Math.min(READ_CHUNK, f.size - off);
        io('read', readDur(n), { ret: n, count: READ_CHUNK, fname: f.path, fd });
      }
      io('read', int(1, 8), { ret: 0, count: READ_CHUNK, fname: f.path, fd });
    } else {
      for (let off = 0; off < f.size; off += READ_CHUNK) {
        const n = Math.min(READ_CHUNK, f.size - off);
        io('pread64', readDur(n), { ret: n, count: READ_CHUNK, offset: off, fname: f.path, fd });
      }
    }
    io('close', int(5, 50), { ret: 0, fname: f.path, fd });
    out.push({
      id: parent,
      name: 'TorchDataset.__getitem__',
      cat: 'data_loader',
      tid,
      ts: t0,
      dur: c - t0,
      args: { ...tree(-1, 3), epoch, step, image_idx: imageIdx, image_size: f.size },
    });
    return c;
  };

  const readDur = (n: number) => {
    // ~1.5 GB/s with jitter, and now and then an OST that stalls
    const base = 20 + Math.round(n / 1500);
    return rand() < 0.005 ? base * int(10, 40) : base + int(0, base >> 2);
  };

  const checkpointEvents = (t0: number, out: Pending[]) => {
    const parent = writer.reserveId();
    const dir = `${CKPT_DIR}/global_epoch${epoch}_step${step}`;
    let c = t0 + int(10, 50);
    const io = (cat: string, name: string, dur: number, args: Pending['args']) => {
      out.push({ name, cat, tid: mainTid, ts: c, dur, args: { ...tree(parent, 3), ...args } });
      c += dur + gap();
    };
    io('POSIX', 'mkdir', int(200, 2000), { ret: 0, fname: dir, mode: 493 });
    const names = [
      ...Array.from({ length: CKPT_LAYERS }, (_, k) => `layer-${k + 1}-model_states.pt`),
      'optimizer-0.pt',
      'model-0.pt',
    ];
    for (const name of names) {
      const file = `${dir}/${name}`;
      const size = name.startsWith('optimizer') ? int(48, 96) * MiB : int(8, 40) * MiB + int(0, 65535);
      const fd = 30;
      io('POSIX', 'open64', int(300, 6000), { ret: fd, fname: file, flags: 577, mode: 420 });
      for (let off = 0; off < size; off += CKPT_CHUNK) {
        const n = Math.min(CKPT_CHUNK, size - off);
        const base = 30 + Math.round(n / 900);
        const dur = rand() < 0.02 ? base * int(5, 30) : base + int(0, base >> 1);
        io('POSIX', 'write', dur, { ret: n, count: n, fname: file, fd });
      }
      if (rand() < 0.5)
        io('POSIX', 'lseek64', int(1, 4), { ret: size, whence: 1, offset: 0, fname: file, fd });
      io('POSIX', 'fsync', int(2000, 30000), { ret: 0, fname: file, fd });
      io('POSIX', 'close', int(10, 200), { ret: 0, fname: file, fd });
    }
    const latest = `${CKPT_DIR}/latest`;
    const tag = `global_epoch${epoch}_step${step}`;
    io('STDIO', 'fopen', int(80, 400), { fname: latest, mode: 'w' });
    io('STDIO', 'fwrite', int(5, 40), { ret: 1, size: tag.length, count: 1, fname: latest });
    io('STDIO', 'fclose', int(100, 900), { ret: 0, fname: latest });
    out.push({
      id: parent,
      name: 'PyTorchCheckpointing.checkpoint',
      cat: 'checkpoint',
      tid: mainTid,
      ts: t0,
      dur: c - t0,
      args: { ...tree(-1, 2), epoch, step },
    });
    return c;
  };

  for (;;) {
    if (step % stepsPerEpoch === 0) {
      epoch++;
      order = Array.from({ length: nFiles }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    const stepStart = now;
    const batch: Pending[] = [];
    const cursors = workerTids.map(() => stepStart);
    for (let s = 0; s < BATCH; s++) {
      const slot = (step * BATCH + s) % order.length;
      const w = s % WORKERS;
      cursors[w] = sampleEvents(workerTids[w], fds[w], order[slot], slot, cursors[w], batch) + gap();
    }
    let c = Math.max(...cursors);
    const next = int(3, 30);
    batch.push({
      name: 'TorchDataLoader.next',
      cat: 'data_loader',
      tid: mainTid,
      ts: c,
      dur: next,
      args: { epoch, step },
    });
    c += next + gap();
    const compute = int(5000, 20000);
    batch.push({
      name: 'TorchFramework.compute',
      cat: 'ai_framework',
      tid: mainTid,
      ts: c,
      dur: compute,
      args: { epoch, step },
    });
    c += compute + gap();
    if (step % 50 === 49) {
      const n = int(60, 240);
      batch.push({
        name: 'fwrite',
        cat: 'STDIO',
        tid: mainTid,
        ts: c,
        dur: int(3, 60),
        args: { ret: n, size: 1, count: n, fname: LOG_FILE },
      });
      c += 60 + gap();
    }
    if (step % ckptEvery === ckptEvery - 1) c = checkpointEvents(c, batch) + gap();
    if (batch.length > budget) break;
    commit(batch);
    budget -= batch.length;
    now = c;
    step++;
  }

  // --- pad to the exact count with the stat() calls DLIO makes when it re-lists the data ---
  {
    const pad: Pending[] = [];
    for (let i = 0; i < budget; i++) {
      const dur = int(20, 300);
      pad.push({
        name: '__xstat64',
        cat: 'POSIX',
        tid: mainTid,
        ts: now,
        dur,
        args: { ret: 0, fname: files[i % nFiles].path },
      });
      now += dur + gap();
    }
    commit(pad);
    const close = int(10, 200);
    const tail: Pending[] = [
      { name: 'fclose', cat: 'STDIO', tid: mainTid, ts: now, dur: close, args: { ret: 0, fname: LOG_FILE } },
    ];
    now += close + gap();
    tail.push({
      name: 'DLIOBenchmark.finalize',
      cat: 'dlio_benchmark',
      tid: mainTid,
      ts: now,
      dur: int(1000, 50000),
      args: {},
    });
    commit(tail);
  }

  const info = writer.close();
  if (hashed) {
    // start and end are complete events of the dftracer category, at the run's two edges
    const c = (categories['dftracer'] ??= { count: 0, durUs: 0 });
    c.count += 2;
    events += 2;
    tsMin = Math.min(tsMin, startTs);
  }
  // HH, thread_name, the SH of command line and executable, and one FH per distinct path (cwd too)
  const metadata = hashed ? 4 + new Set([...usedFiles, OUT_DIR]).size : 0;
  if (info.events !== events || info.metadata !== metadata || events !== target) {
    throw new Error(
      `bench-trace: internal mismatch (events ${events}/${info.events}/${target}, metadata ${metadata}/${info.metadata})`,
    );
  }
  const rows = [...ops.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.cat, b.cat) || cmp(a.op, b.op));
  return {
    path,
    era,
    seed,
    events,
    metadata,
    counters: 0,
    badLines: 0,
    tsMin,
    tsMax,
    categories,
    ops: rows,
    files: usedFiles.size,
    textBytes: info.textBytes,
    fileBytes: info.fileBytes,
    members: info.members,
  };
}

/** What a run of several such files sums to: rows of the same path merge across files, as in a run. */
export type RunExpectation = Omit<BenchExpectation, 'path' | 'seed'> & { paths: string[] };

export function mergeExpectations(parts: BenchExpectation[]): RunExpectation {
  if (parts.length === 0) throw new Error('mergeExpectations: nothing to merge');
  const ops = new Map<string, OpTotal>();
  const categories: Record<string, { count: number; durUs: number }> = {};
  for (const p of parts) {
    for (const o of p.ops) {
      const key = `${o.file}\u0000${o.cat}\u0000${o.op}`;
      const row = ops.get(key) ?? { ...o, count: 0, bytes: 0, durUs: 0 };
      row.count += o.count;
      row.bytes += o.bytes;
      row.durUs += o.durUs;
      ops.set(key, row);
    }
    for (const [cat, c] of Object.entries(p.categories)) {
      const m = (categories[cat] ??= { count: 0, durUs: 0 });
      m.count += c.count;
      m.durUs += c.durUs;
    }
  }
  const rows = [...ops.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.cat, b.cat) || cmp(a.op, b.op));
  const sum = (f: (p: BenchExpectation) => number) => parts.reduce((acc, p) => acc + f(p), 0);
  return {
    paths: parts.map((p) => p.path),
    era: parts[0].era,
    events: sum((p) => p.events),
    metadata: sum((p) => p.metadata),
    counters: sum((p) => p.counters),
    badLines: sum((p) => p.badLines),
    tsMin: Math.min(...parts.map((p) => p.tsMin)),
    tsMax: Math.max(...parts.map((p) => p.tsMax)),
    categories,
    ops: rows,
    files: new Set(rows.map((o) => o.file).filter((f) => f !== '')).size,
    textBytes: sum((p) => p.textBytes),
    fileBytes: sum((p) => p.fileBytes),
    members: sum((p) => p.members),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
