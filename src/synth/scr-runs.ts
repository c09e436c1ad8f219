/**
 * A synthetic "Baseline versus SCR" experiment: Megatron-DeepSpeed training jobs (2 nodes x 8 ranks, one DFTracer
 * trace per rank) that checkpoint straight to Lustre, or through SCR (node-local SSD cache, with or without an
 * asynchronous flush to Lustre, or in bypass mode). Every run is deterministic, and the generator returns the
 * figures a comparison should find (checkpoint time, time and bytes per storage tier, flush time, write counts,
 * the slow writes it planted), computed from the events it wrote and never from engine code, so tests can hold the
 * engine and the comparison to the intent.
 *
 * Timing model (per rank; bandwidths are a rank's share of a contended device, in MiB/s):
 * - baseline: data written to Lustre at PFS_WRITE; ~1.5 GiB per rank per checkpoint, 3 checkpoints: ~100 s of
 *   checkpoint time for the slowest rank;
 * - scr-noflush: data written to the node-local SSD at SSD_WRITE (8 ranks share one NVMe), plus SCR's metadata
 *   handshake (filemap, nodes/flush files, collective completion): ~150 s;
 * - scr-bypass: data written to Lustre as in the baseline, but SCR's completion re-opens and fsyncs every file
 *   (draining its dirty pages at PFS_FSYNC) and writes its metadata: ~200 s;
 * - scr-flush: as scr-noflush, but after each checkpoint a background thread (another tid of the rank's process)
 *   reads the cached files and writes them to Lustre, throttled to FLUSH_PFS_WRITE (SCR_FLUSH_ASYNC_BW). The flush
 *   outlasts the training interval, so the next checkpoint's SSD writes share the SSD with the flush's reads and
 *   drop to SSD_WRITE_FLUSHING: ~350-400 s. The job waits in SCR_Finalize for the last flush.
 * A few data writes (STRAGGLER_STALL_US added) stand for an OST or SSD that stalled; their places are recorded. They
 * outlast every other call of their run, so they head its slowest calls.
 * With the defaults (seed 1) the checkpoint times come out at 101 s, 375 s, 146 s and 195 s (baseline, scr-flush,
 * scr-noflush, scr-bypass), the same for every era; the whole experiment is ~1.2 MB of gzip and takes well under a
 * second to write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { TraceWriter, type ArgValue, type Era } from './trace-writer';
import { rng } from './random';

export type ScrVariant = 'baseline' | 'scr-flush' | 'scr-noflush' | 'scr-bypass';
export const SCR_VARIANTS: readonly ScrVariant[] = ['baseline', 'scr-flush', 'scr-noflush', 'scr-bypass'];

export interface ScrExperimentOptions {
  /** Default '2025'. '2023': quoted numbers and plain `fname`; '2025'/'2026': hashed names with FH lines. */
  era?: Era;
  /** Runs to write, one folder each (named after the variant). Default: all four. */
  variants?: ScrVariant[];
  nodes?: number;
  ranksPerNode?: number;
  checkpoints?: number;
  /** Training iterations between checkpoints (one `train_step` event each). Default 100. */
  stepsPerCheckpoint?: number;
  /** Multiplies the write calls of checkpoint data (each call then moves 1/writeScale of the bytes). Default 1. */
  writeScale?: number;
  /** Planted slow writes per run, each on a different rank. Default 3. */
  stragglers?: number;
  seed?: number;
  user?: string;
}

/** The storage tiers the intended figures are split by: plain path prefixes. */
export const SCR_TIERS = [
  { label: 'PFS', prefix: '/p/lustre' },
  { label: 'SSD', prefix: '/l/ssd' },
] as const;
export type ScrTier = (typeof SCR_TIERS)[number]['label'];

export interface TierFigures {
  /** Sum of `dur` of POSIX calls on files of the tier. */
  timeUs: number;
  /** Bytes those calls moved (read and written), by the summary contract. */
  bytes: number;
}

export interface PlantedSlowWrite {
  /** The accessed file. */
  file: string;
  /** The trace file holding the event, and where in its decompressed text (1-based line, byte offset). */
  trace: string;
  line: number;
  offset: number;
  ts: number;
  dur: number;
  bytes: number;
  pid: number;
  tid: number;
}

export interface ScrProcessIntent {
  trace: string;
  pid: number;
  host: string;
  checkpointUs: number;
  flushUs: number;
  tiers: Record<ScrTier, TierFigures>;
}

/** Write figures of one kind of file on one tier, over the whole run. */
export interface ScrPatternIntent {
  tier: ScrTier;
  /** The file name with its numbers taken out (`layer.pt`, `filemap`, `index.scr`). */
  pattern: string;
  files: number;
  writeCalls: number;
  writeBytes: number;
  writeUs: number;
}

export interface ScrRunIntent {
  variant: ScrVariant;
  folder: string;
  /** Trace files, rank order. */
  files: string[];
  /** Per process: sum of `dur` of `checkpoint` events; then the max over processes. */
  checkpointUs: number;
  /** Last `ts + dur` minus first `ts` over the run's complete events. */
  wallUs: number;
  /** Per tier: per-process sums, each field maxed over processes on its own. */
  tiers: Record<ScrTier, TierFigures>;
  /** Writes to the PFS outside the writing thread's checkpoint events: per-process sum of `dur`, max. */
  flushUs: number;
  /** Distinct files that received write calls. */
  filesWritten: number;
  writeCalls: number;
  writeBytes: number;
  meanWriteBytes: number;
  slowWrites: PlantedSlowWrite[];
  /** Per (tier, kind of file) written. */
  patterns: ScrPatternIntent[];
  processes: ScrProcessIntent[];
}

export interface ScrExperiment {
  dir: string;
  era: Era;
  runs: ScrRunIntent[];
}

const MiB = 1024 * 1024;
const KiB = 1024;
const SEC = 1_000_000;

const PFS_WRITE = 60;
const SSD_WRITE = 36;
const SSD_WRITE_FLUSHING = 9;
const SSD_READ = 160;
const FLUSH_PFS_WRITE = 8;
const PFS_FSYNC = 50;
const DATA_READ = 400;
/** SCR copies through a buffer of this size (SCR_FILE_BUF_SIZE). */
const FLUSH_BUF = 64 * MiB;
const STRAGGLER_STALL_US: [number, number] = [14 * SEC, 20 * SEC];

const ERA_EPOCH_US: Record<Era, number> = {
  '2023': 1695301200000000,
  '2025': 1750154400000000,
  '2026': 1767312000000000,
};

const O_RDONLY = 0;
const O_WRONLY_CREAT_TRUNC = 577;
const O_RDWR_CREAT = 66;

interface Ev {
  seq: number;
  name: string;
  cat: string;
  tid: number;
  ts: number;
  dur: number;
  args: Record<string, ArgValue | undefined>;
  depth: number;
  parent?: Ev;
  file?: string;
  bytes: number;
  id?: number;
  planted?: boolean;
}

interface DataFile {
  /** The kind of file, as a pattern of its name would group it (`layer.pt`). */
  kind: string;
  name: (step: number) => string;
  /** Bytes of each write call of the file, header and trailer records included. */
  calls: number[];
  size: number;
  fsync: boolean;
}

interface Paths {
  prefix: string;
  cache: string;
  data: string;
}

/** One rank's process: a main thread that trains and checkpoints and, under SCR flush, a flush thread. */
class Rank {
  readonly events: Ev[] = [];
  /** Main-thread clock. */
  t = 0;
  /** When this rank's flush thread is next free, and the spans it was busy. */
  flushFree = 0;
  readonly flushBusy: [number, number][] = [];
  private seq = 0;
  private fd = 8;

  constructor(
    readonly rank: number,
    readonly pid: number,
    readonly host: string,
    readonly flushTid: number,
    readonly files: DataFile[],
    readonly rand: () => number,
    /** Planted stalls: key `${checkpoint}/${file}/${call}`. */
    readonly stalls: Map<string, number>,
    /** The kind of each file the run writes, shared by its ranks: what the intended pattern figures group by. */
    readonly kinds: Map<string, string>,
  ) {}

  named(file: string, kind: string): string {
    this.kinds.set(file, kind);
    return file;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  open(name: string, cat: string, tid: number, ts: number, parent?: Ev, args: Ev['args'] = {}): Ev {
    const ev: Ev = {
      seq: this.seq++,
      name,
      cat,
      tid,
      ts,
      dur: 0,
      args,
      depth: parent ? parent.depth + 1 : 0,
      parent,
      bytes: 0,
    };
    this.events.push(ev);
    return ev;
  }

  end(ev: Ev, end: number): void {
    ev.dur = end - ev.ts;
  }

  /** A POSIX call at `ts`; returns it (its end is `ts + dur`). */
  posix(
    parent: Ev | undefined,
    tid: number,
    name: string,
    ts: number,
    dur: number,
    file: string,
    args: Ev['args'],
    bytes = 0,
  ): Ev {
    const ev = this.open(name, 'POSIX', tid, ts, parent, { ...args, fname: file });
    ev.dur = dur;
    ev.file = file;
    ev.bytes = bytes;
    return ev;
  }

  nextFd(): number {
    this.fd = this.fd >= 60 ? 9 : this.fd + 1;
    return this.fd;
  }

  /** Duration of moving `bytes` at `mibps`, with a latency and +-10 % jitter. */
  xfer(bytes: number, mibps: number, latencyUs: number): number {
    return Math.round(latencyUs + (bytes / (mibps * MiB)) * SEC * (0.9 + 0.2 * this.rand()));
  }

  /** Was the flush thread busy at `t`? */
  flushing(t: number): boolean {
    return this.flushBusy.some(([a, b]) => a <= t && t < b);
  }
}

function isPfs(file: string): boolean {
  return file.startsWith('/p/lustre');
}

/** Open-to-close of one checkpoint file on the main thread; returns the clock after it. */
function writeDataFile(
  r: Rank,
  parent: Ev,
  t: number,
  file: string,
  df: DataFile,
  fileIdx: number,
  ckpt: number,
  bandwidth: (t: number) => number,
): number {
  const tid = r.pid;
  r.named(file, df.kind);
  const pfs = isPfs(file);
  const fd = r.nextFd();
  const gap = () => r.int(5, 60);
  let c = t;
  const op = (name: string, dur: number, args: Ev['args'], bytes = 0) => {
    const ev = r.posix(parent, tid, name, c, dur, file, args, bytes);
    c += dur + gap();
    return ev;
  };
  op('open64', pfs ? r.int(2000, 20000) : r.int(80, 900), {
    ret: fd,
    flags: O_WRONLY_CREAT_TRUNC,
    mode: 420,
  });
  let written = 0;
  df.calls.forEach((n, call) => {
    // the zip records around the tensors (first and last call) are small and land in the page cache
    const record = call === 0 || call === df.calls.length - 1;
    let dur = record ? r.int(8, 120) : r.xfer(n, bandwidth(c), pfs ? 300 : 60);
    const stall = r.stalls.get(`${ckpt}/${fileIdx}/${call}`);
    if (stall !== undefined) dur += stall;
    const ev = op('write', dur, { ret: n, count: n, fd }, n);
    if (stall !== undefined) ev.planted = true;
    written += n;
  });
  op('lseek64', r.int(1, 6), { ret: written, whence: 1, offset: 0, fd });
  if (df.fsync) op('fsync', pfs ? r.int(300_000, 1_500_000) : r.int(20_000, 120_000), { ret: 0, fd });
  op('close', pfs ? r.int(500, 8000) : r.int(20, 300), { ret: 0, fd });
  return c;
}

/** open, one small write, optional fsync, close: how SCR updates its own files. */
function smallFile(
  r: Rank,
  parent: Ev,
  tid: number,
  t: number,
  file: string,
  bytes: number,
  fsync: boolean,
): number {
  const pfs = isPfs(file);
  const fd = r.nextFd();
  let c = t;
  const op = (name: string, dur: number, args: Ev['args'], n = 0) => {
    r.posix(parent, tid, name, c, dur, file, args, n);
    c += dur + r.int(5, 40);
  };
  op('open64', pfs ? r.int(3000, 25000) : r.int(60, 600), { ret: fd, flags: O_RDWR_CREAT, mode: 384 });
  op('write', r.int(10, 200), { ret: bytes, count: bytes, fd }, bytes);
  if (fsync) op('fsync', pfs ? r.int(5000, 60000) : r.int(500, 4000), { ret: 0, fd });
  op('close', pfs ? r.int(300, 5000) : r.int(10, 150), { ret: 0, fd });
  return c;
}

type SmallFile = [file: string, kind: string, bytes: number, fsync: boolean];

/** SCR's metadata updates, one file after the other. */
function smallFiles(r: Rank, parent: Ev, tid: number, t: number, files: SmallFile[]): number {
  let c = t;
  for (const [file, kind, bytes, fsync] of files)
    c = smallFile(r, parent, tid, c, r.named(file, kind), bytes, fsync);
  return c;
}

function readSmall(r: Rank, parent: Ev, tid: number, t: number, file: string, bytes: number): number {
  const fd = r.nextFd();
  let c = t;
  const op = (name: string, dur: number, args: Ev['args'], n = 0) => {
    r.posix(parent, tid, name, c, dur, file, args, n);
    c += dur + r.int(5, 40);
  };
  op('open64', r.int(2000, 15000), { ret: fd, flags: O_RDONLY });
  op('read', r.int(50, 900), { ret: bytes, count: 4096, fd }, bytes);
  op('close', r.int(200, 3000), { ret: 0, fd });
  return c;
}

/** The checkpoint files of a rank: the same names and write calls at every checkpoint of every variant. */
function rankLayout(rank: number, seed: number, writeScale: number): DataFile[] {
  const rand = rng(seed * 7919 + rank * 104729 + 17);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const page = 4096;
  let cuts = 0;
  // each file is cut with its own stream, so the sizes (drawn from `rand`) do not depend on writeScale
  const chunked = (size: number, lo: number, hi: number): number[] => {
    const cut = rng(seed * 6151 + rank * 3571 + ++cuts * 131 + 7);
    const pick = (a: number, b: number) => a + Math.floor(cut() * (b - a + 1));
    const header = pick(40, 400);
    const trailer = pick(1200, 4000);
    const calls = [header];
    let left = size - header - trailer;
    while (left > 0) {
      const c = Math.min(left, Math.max(page, Math.round((pick(lo, hi) * MiB) / writeScale / page) * page));
      calls.push(c);
      left -= c;
    }
    calls.push(trailer);
    return calls;
  };
  const files: DataFile[] = [];
  const layers = 4;
  for (let k = 0; k < layers; k++) {
    const i = rank * layers + k + 1;
    const size = int(200, 280) * MiB + int(0, 65535);
    files.push({
      kind: 'layer.pt',
      name: (step) => `layer-${i}-${step}-${rank}.pt`,
      calls: chunked(size, 8, 32),
      size,
      fsync: false,
    });
  }
  const opt = int(480, 560) * MiB + int(0, 65535);
  files.push({
    kind: 'optimizer.pt',
    name: (step) => `optimizer-${rank}-${step}.pt`,
    calls: chunked(opt, 64, 64),
    size: opt,
    fsync: true,
  });
  const model = int(24, 40) * MiB + int(0, 65535);
  files.push({
    kind: 'model.pt',
    name: (step) => `model-${rank}-${step}.pt`,
    calls: chunked(model, 8, 8),
    size: model,
    fsync: false,
  });
  return files;
}

function simulateRun(
  variant: ScrVariant,
  o: Required<Omit<ScrExperimentOptions, 'variants' | 'era'>>,
  era: Era,
  variantIndex: number,
): Rank[] {
  const nRanks = o.nodes * o.ranksPerNode;
  const paths: Paths = {
    prefix: `/p/lustre5/${o.user}/megatron/checkpoints`,
    cache: `/l/ssd/${o.user}/scr.defjobid`,
    data: `/p/lustre5/${o.user}/megatron/data/gpt2_text_document`,
  };
  const scr = variant !== 'baseline';
  const cached = variant === 'scr-flush' || variant === 'scr-noflush';
  const flush = variant === 'scr-flush';

  // stragglers: distinct ranks, any checkpoint, any checkpoint file
  const plan = rng(o.seed * 31 + variantIndex * 1009 + 5);
  const order = Array.from({ length: nRanks }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(plan() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const stallsOf = new Map<number, Map<string, number>>();
  const layouts = Array.from({ length: nRanks }, (_, rank) => rankLayout(rank, o.seed, o.writeScale));
  for (const rank of order.slice(0, Math.min(o.stragglers, nRanks))) {
    const files = layouts[rank];
    const fileIdx = Math.floor(plan() * files.length);
    // a tensor write, not the zip records around them
    const call = 1 + Math.floor(plan() * (files[fileIdx].calls.length - 2));
    const ckpt = 1 + Math.floor(plan() * o.checkpoints);
    const stall =
      STRAGGLER_STALL_US[0] + Math.floor(plan() * (STRAGGLER_STALL_US[1] - STRAGGLER_STALL_US[0]));
    stallsOf.set(rank, new Map([[`${ckpt}/${fileIdx}/${call}`, stall]]));
  }

  const ranks: Rank[] = [];
  const kinds = new Map<string, string>();
  for (let rank = 0; rank < nRanks; rank++) {
    const node = Math.floor(rank / o.ranksPerNode);
    const local = rank % o.ranksPerNode;
    const pid = 40000 + node * 9973 + local * 41 + variantIndex * 7 + (o.seed % 97);
    ranks.push(
      new Rank(
        rank,
        pid,
        `node${String(node + 1).padStart(3, '0')}`,
        pid + 23,
        layouts[rank],
        rng(o.seed * 2654435761 + variantIndex * 65537 + rank * 977 + 3),
        stallsOf.get(rank) ?? new Map(),
        kinds,
      ),
    );
  }
  const start = ERA_EPOCH_US[era] + variantIndex * 3600 * SEC + o.seed * 1000;
  const barrier = () => Math.max(...ranks.map((r) => r.t));
  // rank 0 records a dataset on the file system once it is there (after the flush, or at once in bypass)
  const prefixUpdate = (r: Rank, k: number): SmallFile[] => [
    [`${paths.prefix}/.scr/scr.dataset.${k}/summary.scr`, 'summary.scr', r.int(1, 4) * KiB, true],
    [`${paths.prefix}/.scr/index.scr`, 'index.scr', r.int(1, 3) * KiB, true],
    [`${paths.prefix}/.scr/flush.scr`, 'flush.scr', r.int(300, 900), true],
  ];

  // --- start-up: the indexed dataset, SCR_Init ---
  for (const r of ranks) {
    r.t = start + r.int(0, 400_000);
    const tid = r.pid;
    const init = r.open('initialize_megatron', 'ai_framework', tid, r.t);
    let c = r.t + r.int(2 * SEC, 4 * SEC);
    const idx = `${paths.data}.idx`;
    const fd = r.nextFd();
    const op = (name: string, dur: number, file: string, args: Ev['args'], n = 0) => {
      r.posix(init, tid, name, c, dur, file, args, n);
      c += dur + r.int(10, 200);
    };
    op('open64', r.int(2000, 20000), idx, { ret: fd, flags: O_RDONLY });
    for (let i = 0; i < 3; i++)
      op('read', r.xfer(4 * MiB, DATA_READ, 500), idx, { ret: 4 * MiB, count: 4 * MiB, fd }, 4 * MiB);
    op('close', r.int(200, 3000), idx, { ret: 0, fd });
    op('open64', r.int(2000, 20000), `${paths.data}.bin`, { ret: 7, flags: O_RDONLY });
    if (scr) {
      const si = r.open('SCR_Init', 'SCR', tid, c, init);
      c += r.int(1000, 5000);
      const mk = (dir: string) => {
        r.posix(si, tid, 'mkdir', c, isPfs(dir) ? r.int(3000, 30000) : r.int(50, 400), dir, {
          ret: 0,
          mode: 448,
        });
        c += r.int(200, 2000);
      };
      mk(paths.cache);
      mk(`${paths.cache}/.scr`);
      if (r.rank === 0) {
        mk(`${paths.prefix}/.scr`);
        c = readSmall(r, si, tid, c, r.named(`${paths.prefix}/.scr/halt.scr`, 'halt.scr'), 128);
      }
      c += r.int(100_000, 600_000); // the collective that ends SCR_Init
      r.end(si, c);
    }
    c += r.int(100_000, 1_000_000);
    r.end(init, c);
    r.t = c;
  }

  for (let k = 1; k <= o.checkpoints; k++) {
    const step = k * o.stepsPerCheckpoint;
    // --- training: one train_step per iteration, a sample read from the dataset every 10 ---
    const t0 = barrier();
    for (const r of ranks) {
      r.t = t0 + r.int(100, 5000);
      for (let s = step - o.stepsPerCheckpoint + 1; s <= step; s++) {
        const ev = r.open('train_step', 'ai_framework', r.pid, r.t, undefined, { step: s });
        let c = r.t + r.int(1000, 5000);
        if (s % 10 === 1) {
          const n = r.int(1, 4) * MiB;
          const dur = r.xfer(n, DATA_READ, 800);
          const args = { ret: n, count: n, offset: r.int(0, 4000) * MiB, fd: 7 };
          r.posix(ev, r.pid, 'pread64', c, dur, `${paths.data}.bin`, args, n);
          c += dur + r.int(1000, 5000);
        }
        c += r.int(500_000, 700_000);
        r.end(ev, c);
        r.t = c + r.int(50, 500);
      }
    }
    // --- the checkpoint ---
    const t1 = barrier();
    for (const r of ranks) {
      const tid = r.pid;
      r.t = t1 + r.int(100, 20000);
      const ck = r.open('PyTorchCheckpointing.checkpoint', 'checkpoint', tid, r.t, undefined, { step });
      let c = r.t + r.int(10_000, 50_000);
      const stepDir = `${paths.prefix}/global_step${step}`;
      const cacheDir = `${paths.cache}/scr.dataset.${k}`;
      if (scr) {
        const so = r.open('SCR_Start_output', 'SCR', tid, c, ck, { name: `global_step${step}` });
        c += r.int(200, 2000);
        if (r.rank === 0)
          c = readSmall(r, so, tid, c, r.named(`${paths.prefix}/.scr/halt.scr`, 'halt.scr'), 128);
        if (cached) {
          r.posix(so, tid, 'mkdir', c, r.int(50, 400), cacheDir, { ret: 0, mode: 448 });
          c += r.int(200, 2000);
        }
        c += r.int(50_000, 300_000);
        r.end(so, c);
      }
      if (!cached) {
        r.posix(ck, tid, 'mkdir', c, r.int(3000, 40000), stepDir, { ret: r.rank === 0 ? 0 : -1, mode: 493 });
        c += r.int(1000, 5000);
      }
      const bandwidth = (t: number) =>
        !cached ? PFS_WRITE : flush && r.flushing(t) ? SSD_WRITE_FLUSHING : SSD_WRITE;
      r.files.forEach((df, i) => {
        const file = `${cached ? cacheDir : stepDir}/${df.name(step)}`;
        c = writeDataFile(r, ck, c, file, df, i, k, bandwidth) + r.int(1000, 20000);
      });
      if (scr) {
        const co = r.open('SCR_Complete_output', 'SCR', tid, c, ck, { valid: 1 });
        c += r.int(200, 2000);
        c = smallFiles(r, co, tid, c, [
          [`${paths.cache}/.scr/filemap_${r.rank}`, 'filemap', r.int(2, 8) * KiB, true],
          // one rank per node records the node's cache state
          ...(r.rank % o.ranksPerNode === 0
            ? ([
                [`${paths.cache}/.scr/nodes.scr`, 'nodes.scr', r.int(200, 600), false],
                [`${paths.cache}/.scr/flush.scr`, 'flush.scr', r.int(300, 900), true],
              ] as SmallFile[])
            : []),
        ]);
        if (variant === 'scr-bypass') {
          // bypass: SCR makes each file durable on the file system before it marks the dataset complete
          for (const df of r.files) {
            const file = `${stepDir}/${df.name(step)}`;
            const fd = r.nextFd();
            const op = (name: string, dur: number, args: Ev['args']) => {
              r.posix(co, tid, name, c, dur, file, args);
              c += dur + r.int(5, 60);
            };
            op('open64', r.int(2000, 20000), { ret: fd, flags: O_RDONLY });
            op('fsync', r.xfer(df.size, PFS_FSYNC, 2000), { ret: 0, fd });
            op('close', r.int(500, 8000), { ret: 0, fd });
          }
          if (r.rank === 0) c = smallFiles(r, co, tid, c, prefixUpdate(r, k));
        }
        c += r.int(300_000, 1_500_000); // the allreduce that decides whether every rank succeeded
        r.end(co, c);
      }
      c += r.int(10_000, 50_000);
      r.end(ck, c);
      r.t = c;

      if (flush) {
        // the next flush starts once this checkpoint is complete and the previous flush has finished
        const f0 = Math.max(r.flushFree, c) + r.int(5000, 20000);
        const fl = r.open('scr_flush_async', 'SCR', r.flushTid, f0, undefined, { dataset: k });
        let fc = f0 + r.int(500, 3000);
        r.posix(fl, r.flushTid, 'mkdir', fc, r.int(3000, 40000), stepDir, {
          ret: r.rank === 0 ? 0 : -1,
          mode: 493,
        });
        fc += r.int(1000, 5000);
        for (const df of r.files) {
          const src = r.named(`${cacheDir}/${df.name(step)}`, df.kind);
          const dst = r.named(`${stepDir}/${df.name(step)}`, df.kind);
          const inFd = r.nextFd();
          const outFd = r.nextFd();
          const op = (name: string, file: string, dur: number, args: Ev['args'], n = 0) => {
            r.posix(fl, r.flushTid, name, fc, dur, file, args, n);
            fc += dur + r.int(5, 60);
          };
          op('open64', src, r.int(60, 600), { ret: inFd, flags: O_RDONLY });
          op('open64', dst, r.int(3000, 25000), { ret: outFd, flags: O_WRONLY_CREAT_TRUNC, mode: 420 });
          const buf = Math.max(MiB, Math.round(FLUSH_BUF / o.writeScale));
          for (let off = 0; off < df.size; off += buf) {
            const n = Math.min(buf, df.size - off);
            op('read', src, r.xfer(n, SSD_READ, 50), { ret: n, count: buf, fd: inFd }, n);
            op('write', dst, r.xfer(n, FLUSH_PFS_WRITE, 400), { ret: n, count: n, fd: outFd }, n);
          }
          op('fsync', dst, r.int(50_000, 300_000), { ret: 0, fd: outFd });
          op('close', dst, r.int(500, 8000), { ret: 0, fd: outFd });
          op('close', src, r.int(10, 150), { ret: 0, fd: inFd });
        }
        if (r.rank === 0) fc = smallFiles(r, fl, r.flushTid, fc, prefixUpdate(r, k));
        r.end(fl, fc);
        r.flushBusy.push([f0, fc]);
        r.flushFree = fc;
      }
    }
  }

  // --- shutdown: SCR_Finalize waits for the last flush ---
  const t2 = barrier();
  for (const r of ranks) {
    const tid = r.pid;
    let c = t2 + r.int(100, 5000);
    if (scr) {
      const fin = r.open('SCR_Finalize', 'SCR', tid, c);
      c = Math.max(c + r.int(1000, 10000), r.flushFree + r.int(1000, 10000));
      const halt = `${paths.prefix}/.scr/halt.scr`;
      if (r.rank === 0) c = smallFiles(r, fin, tid, c, [[halt, 'halt.scr', r.int(100, 300), true]]);
      c += r.int(50_000, 300_000);
      r.end(fin, c);
    }
    r.posix(undefined, tid, 'close', c, r.int(200, 3000), `${paths.data}.bin`, { ret: 0, fd: 7 });
    r.t = c;
  }
  return ranks;
}

/** Writes one rank's events in the order the tracer would (as they end, children before parents). */
function writeRankTrace(r: Rank, era: Era, file: string, user: string): void {
  const events = [...r.events].sort(
    (a, b) => a.ts + a.dur - (b.ts + b.dur) || b.depth - a.depth || a.seq - b.seq,
  );
  const tsMin = Math.min(...events.map((e) => e.ts));
  const writer = new TraceWriter({
    era,
    pid: r.pid,
    hostname: r.host,
    gzip: true,
    path: file,
    startTs: tsMin,
    cwd: `/p/lustre5/${user}/megatron`,
    cmdline: 'python;pretrain_gpt.py;--deepspeed;--save;checkpoints',
    exe: 'python',
  });
  const ids = new Map<Ev, number>();
  const idOf = (ev: Ev) => {
    let id = ids.get(ev);
    if (id === undefined) {
      id = writer.reserveId();
      ids.set(ev, id);
    }
    return id;
  };
  for (const ev of events) {
    const parent = ev.parent ? idOf(ev.parent) : -1;
    ev.id = writer.complete({
      id: ids.get(ev),
      name: ev.name,
      cat: ev.cat,
      tid: ev.tid,
      ts: ev.ts,
      dur: ev.dur,
      args: { ...ev.args, p_idx: parent, level: ev.depth + 1 },
    });
    ids.set(ev, ev.id);
  }
  const info = writer.close();
  const tsMax = Math.max(...events.map((e) => e.ts + e.dur));
  const lifecycle = era === '2023' ? 0 : 2;
  if (info.events !== events.length + lifecycle || info.tsMin !== tsMin || info.tsMax !== tsMax) {
    throw new Error(`scr-runs: ${file}: the writer wrote other events than planned`);
  }
}

/** Line number and byte offset of each event id, read back from what was written. */
function locateIds(file: string, wanted: Set<number>): Map<number, { line: number; offset: number }> {
  const text = zlib.gunzipSync(fs.readFileSync(file));
  const out = new Map<number, { line: number; offset: number }>();
  let offset = 0;
  let line = 0;
  while (offset < text.length) {
    let nl = text.indexOf(10, offset);
    if (nl < 0) nl = text.length;
    line++;
    const head = text.subarray(offset, Math.min(nl, offset + 32)).toString('latin1');
    const m = /^\s*\{"id":"?(\d+)"?,/.exec(head);
    if (m && wanted.has(Number(m[1]))) out.set(Number(m[1]), { line, offset });
    offset = nl + 1;
  }
  return out;
}

function tierOfPath(file: string): ScrTier | undefined {
  return SCR_TIERS.find((t) => file.startsWith(t.prefix))?.label;
}

const WRITE_OPS = new Set(['write', 'pwrite', 'pwrite64', 'writev', 'pwritev', 'pwritev2']);

/** The figures the comparison should report, from the events as written. */
function intentOf(variant: ScrVariant, folder: string, ranks: Rank[], traces: string[]): ScrRunIntent {
  const processes: ScrProcessIntent[] = [];
  const patterns = new Map<string, ScrPatternIntent & { names: Set<string> }>();
  const written = new Set<string>();
  let writeCalls = 0;
  let writeBytes = 0;
  let tsMin = Infinity;
  let tsMax = -Infinity;
  const slowWrites: PlantedSlowWrite[] = [];
  ranks.forEach((r, i) => {
    const tiers = { PFS: { timeUs: 0, bytes: 0 }, SSD: { timeUs: 0, bytes: 0 } };
    let checkpointUs = 0;
    let flushUs = 0;
    const ckpts = r.events.filter((e) => e.cat === 'checkpoint');
    for (const e of r.events) {
      tsMin = Math.min(tsMin, e.ts);
      tsMax = Math.max(tsMax, e.ts + e.dur);
      if (e.cat === 'checkpoint') checkpointUs += e.dur;
      if (e.cat !== 'POSIX' || e.file === undefined) continue;
      const tier = tierOfPath(e.file);
      if (tier) {
        tiers[tier].timeUs += e.dur;
        tiers[tier].bytes += e.bytes;
      }
      if (!WRITE_OPS.has(e.name)) continue;
      written.add(e.file);
      const kind = r.kinds.get(e.file);
      if (tier && kind) {
        const key = `${tier}/${kind}`;
        let p = patterns.get(key);
        if (!p) {
          p = { tier, pattern: kind, files: 0, writeCalls: 0, writeBytes: 0, writeUs: 0, names: new Set() };
          patterns.set(key, p);
        }
        p.names.add(e.file);
        p.writeCalls++;
        p.writeBytes += e.bytes;
        p.writeUs += e.dur;
      }
      writeCalls++;
      writeBytes += e.bytes;
      const inCheckpoint = ckpts.some((s) => s.tid === e.tid && s.ts <= e.ts && e.ts < s.ts + s.dur);
      if (tier === 'PFS' && !inCheckpoint) flushUs += e.dur;
    }
    processes.push({ trace: traces[i], pid: r.pid, host: r.host, checkpointUs, flushUs, tiers });
    const planted = r.events.filter((e) => e.planted);
    const where = locateIds(traces[i], new Set(planted.map((e) => e.id!)));
    for (const e of planted) {
      const at = where.get(e.id!);
      if (!at) throw new Error(`scr-runs: event ${e.id} not found in ${traces[i]}`);
      slowWrites.push({
        file: e.file!,
        trace: traces[i],
        ...at,
        ts: e.ts,
        dur: e.dur,
        bytes: e.bytes,
        pid: r.pid,
        tid: e.tid,
      });
    }
  });
  const max = (f: (p: ScrProcessIntent) => number) => Math.max(...processes.map(f));
  return {
    variant,
    folder,
    files: traces,
    checkpointUs: max((p) => p.checkpointUs),
    wallUs: tsMax - tsMin,
    tiers: {
      PFS: { timeUs: max((p) => p.tiers.PFS.timeUs), bytes: max((p) => p.tiers.PFS.bytes) },
      SSD: { timeUs: max((p) => p.tiers.SSD.timeUs), bytes: max((p) => p.tiers.SSD.bytes) },
    },
    flushUs: max((p) => p.flushUs),
    filesWritten: written.size,
    writeCalls,
    writeBytes,
    meanWriteBytes: writeCalls ? writeBytes / writeCalls : 0,
    slowWrites: slowWrites.sort((a, b) => b.dur - a.dur),
    patterns: [...patterns.values()].map(({ names, ...p }) => ({ ...p, files: names.size })),
    processes,
  };
}

/** Writes one folder per variant under `dir` (created if needed) and returns what each run should show. */
export function generateScrExperiment(dir: string, opts: ScrExperimentOptions = {}): ScrExperiment {
  const era = opts.era ?? '2025';
  const o = {
    nodes: opts.nodes ?? 2,
    ranksPerNode: opts.ranksPerNode ?? 8,
    checkpoints: opts.checkpoints ?? 3,
    stepsPerCheckpoint: opts.stepsPerCheckpoint ?? 100,
    writeScale: opts.writeScale ?? 1,
    stragglers: opts.stragglers ?? 3,
    seed: opts.seed ?? 1,
    user: opts.user ?? 'dftuser',
  };
  if (!(o.writeScale > 0)) throw new Error(`writeScale must be > 0, got ${o.writeScale}`);
  if (o.nodes < 1 || o.ranksPerNode < 1 || o.checkpoints < 1 || o.stepsPerCheckpoint < 1)
    throw new Error('nodes, ranksPerNode, checkpoints and stepsPerCheckpoint must be >= 1');
  const runs: ScrRunIntent[] = [];
  for (const variant of opts.variants ?? SCR_VARIANTS) {
    const folder = path.join(dir, variant);
    fs.mkdirSync(folder, { recursive: true });
    const ranks = simulateRun(variant, o, era, SCR_VARIANTS.indexOf(variant));
    const traces = ranks.map((r) => path.join(folder, `pretrain_gpt-${r.pid}.pfw.gz`));
    ranks.forEach((r, i) => writeRankTrace(r, era, traces[i], o.user));
    const intent = intentOf(variant, folder, ranks, traces);
    if (intent.slowWrites.length !== Math.min(o.stragglers, ranks.length))
      throw new Error(
        `scr-runs: ${variant}: planted ${intent.slowWrites.length} of ${o.stragglers} slow writes`,
      );
    runs.push(intent);
  }
  return { dir, era, runs };
}
