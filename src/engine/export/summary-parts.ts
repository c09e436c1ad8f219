import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename } from 'node:path';
import type { TraceFileSummary } from '../model/types';
import { summarizeTraceFiles, type RunOptions } from '../run';
import { DEFAULT_BIN_US } from '../summary/scan-file';
import { RunMerger, type RunSummary } from '../summary/run-summary';

/**
 * Sharded summaries: `summarize --shard i/n --out part.json` on n machines, `merge` on one. A part holds the whole
 * per-file summaries of its shard's trace files (what the run's merge needs), so merging parts is the same fold a
 * whole-run summary does, and gives the same run summary. A merged or whole file (`*.dftrace-summary.json`) is a part
 * that covers every shard; the extension opens it as a dashboard.
 */
export const PART_FORMAT = 'dftrace-summary-part';
/** Bumped whenever TraceFileSummary or this file's layout changes: parts of different versions never merge. */
export const PART_VERSION = 1;

export interface RunFileEntry {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface PartHeader {
  format: typeof PART_FORMAT;
  version: number;
  /** The run: every trace file, in the run's order (a file's index is its place here). */
  files: RunFileEntry[];
  binUs: number;
  /** Shards are 1-based, as Slurm's array task ids. */
  shardCount: number;
  shards: number[];
}

interface PartEntry {
  trace: number;
  summary: TraceFileSummary;
}

/**
 * The shard (1..n) of each file: files from the biggest down, each to the shard with the fewest bytes so far (ties:
 * the lower shard). Sizes, not counts, so shards take similar time; stable, so every task of an array computes the
 * same split from the same files.
 */
export function shardSplit(sizes: number[], n: number): number[] {
  const load = new Array<number>(n).fill(0);
  const out = new Array<number>(sizes.length);
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
  for (const i of order) {
    let best = 0;
    for (let s = 1; s < n; s++) if (load[s] < load[best]) best = s;
    out[i] = best + 1;
    load[best] += Math.max(sizes[i], 1);
  }
  return out;
}

export function parseShard(spec: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count)
    throw new Error(
      `--shard takes i/n with 1 <= i <= n (Slurm: --shard $SLURM_ARRAY_TASK_ID/N), got "${spec}"`,
    );
  return { index, count };
}

export async function runFileEntries(files: string[]): Promise<RunFileEntry[]> {
  return Promise.all(
    files.map(async (path) => {
      const s = await stat(path).catch(() => undefined);
      return { path, size: s?.size ?? 0, mtimeMs: s?.mtimeMs ?? 0 };
    }),
  );
}

// Typed arrays (timeline bins, write columns) as base64 of their bytes, and non-finite numbers by name: JSON alone
// would turn both into something else, and a merged part must give exactly the run's figures.
function replacer(this: unknown, _key: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView))
    return {
      $typed: v.constructor.name,
      b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'),
    };
  return v;
}

const TYPED: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  BigInt64Array,
  BigUint64Array,
};

function reviver(_key: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as { $num?: string; $typed?: string; b64?: string };
  if (typeof o.$num === 'string' && Object.keys(o).length === 1) return Number(o.$num);
  if (typeof o.$typed === 'string' && typeof o.b64 === 'string') {
    const make = TYPED[o.$typed];
    if (!make) throw new Error(`unknown array type ${o.$typed}`);
    const bytes = Buffer.from(o.b64, 'base64');
    const copy = new ArrayBuffer(bytes.length); // aligned, owned
    new Uint8Array(copy).set(bytes);
    return new make(copy);
  }
  return v;
}

const OPEN = '{"header":';
const MIDDLE = ',"summaries":[';
const CLOSE = ']}';

/**
 * Writes a part as it is made: the header, then one file's summary per line (the document is one JSON object, but
 * a reader can take it line by line, so a part of thousands of files never has to be one string). Written under a
 * temporary name and renamed when complete.
 */
export class PartWriter {
  private readonly tmp: string;
  private readonly fd: number;
  private first = true;

  constructor(
    private readonly out: string,
    header: PartHeader,
  ) {
    this.tmp = `${out}.${process.pid}.partial`;
    this.fd = openSync(this.tmp, 'w');
    writeSync(this.fd, OPEN + JSON.stringify(header) + MIDDLE + '\n');
  }

  add(trace: number, summary: TraceFileSummary): void {
    const line = JSON.stringify({ trace, summary } satisfies PartEntry, replacer);
    writeSync(this.fd, (this.first ? '' : ',\n') + line);
    this.first = false;
  }

  /** Adds an entry already serialized by another part. */
  addLine(line: string): void {
    writeSync(this.fd, (this.first ? '' : ',\n') + line);
    this.first = false;
  }

  async finish(): Promise<void> {
    writeSync(this.fd, '\n' + CLOSE + '\n');
    closeSync(this.fd);
    await rename(this.tmp, this.out);
  }

  async abandon(): Promise<void> {
    try {
      closeSync(this.fd);
    } catch {
      // closed already
    }
    await rm(this.tmp, { force: true });
  }
}

export interface ShardOptions extends Omit<RunOptions, 'onFile'> {
  /** 1-based shard and shard count; {1, 1} is the whole run. */
  shard: { index: number; count: number };
  out: string;
}

/** Summarizes the shard's trace files of a run and writes them as a part. Returns the shard's file count. */
export async function summarizeShard(runFiles: string[], opts: ShardOptions): Promise<{ files: number }> {
  const files = await runFileEntries(runFiles);
  const split = shardSplit(
    files.map((f) => f.size),
    opts.shard.count,
  );
  const mine = files.map((_, i) => i).filter((i) => split[i] === opts.shard.index);
  const header: PartHeader = {
    format: PART_FORMAT,
    version: PART_VERSION,
    files,
    binUs: opts.scan?.binUs ?? DEFAULT_BIN_US,
    shardCount: opts.shard.count,
    shards: [opts.shard.index],
  };
  const w = new PartWriter(opts.out, header);
  try {
    await summarizeTraceFiles(
      mine.map((i) => files[i].path),
      { ...opts, onFile: (s, k) => w.add(mine[k], s) },
    );
    await w.finish();
  } catch (e) {
    await w.abandon();
    throw e;
  }
  return { files: mine.length };
}

/** Reads a part's header, then hands over its entries as their raw lines. */
async function readPart(
  path: string,
  onHeader: (h: PartHeader) => void,
  onEntry: (line: string) => void,
): Promise<void> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let state: 'header' | 'entries' | 'closed' = 'header';
  const notPart = () =>
    new Error(
      `${path}: not a dftrace summary part (write parts with: dftrace summarize <run> --shard i/n --out FILE)`,
    );
  for await (const raw of lines) {
    const line = raw.trim();
    if (state === 'header') {
      if (!line.startsWith(OPEN) || !line.endsWith(MIDDLE)) throw notPart();
      let h: PartHeader;
      try {
        h = JSON.parse(line.slice(OPEN.length, -MIDDLE.length)) as PartHeader;
      } catch {
        throw notPart();
      }
      if (h.format !== PART_FORMAT) throw notPart();
      onHeader(h);
      state = 'entries';
    } else if (state === 'entries') {
      if (line === CLOSE) state = 'closed';
      else if (line !== '') onEntry(line.endsWith(',') ? line.slice(0, -1) : line);
    } else if (line !== '') throw new Error(`${path}: text after the end of the part`);
  }
  if (state !== 'closed') throw new Error(`${path}: the part ends early (cut, or still being written)`);
}

export interface MergeOptions {
  /** Also write the merged run as one file (a part covering every shard). */
  out?: string;
}

/**
 * Merges parts into the run's summary. Parts must come from the same run (the same trace files, sizes and
 * modification times), the same format version and the same shard count, and cover every shard exactly once;
 * anything else is an error that says which part differs and how.
 */
export async function mergeParts(paths: string[], opts: MergeOptions = {}): Promise<RunSummary> {
  if (paths.length === 0) throw new Error('merge needs at least one part');
  let first: { path: string; header: PartHeader } | undefined;
  const seen = new Map<number, string>();
  const traces = new Set<number>();
  let merger: RunMerger | undefined;
  let writer: PartWriter | undefined;
  try {
    for (const path of paths) {
      await readPart(
        path,
        (h) => {
          if (h.version !== PART_VERSION)
            throw new Error(
              `${path}: summary part format version ${h.version}, but this dftrace reads version ${PART_VERSION}: ` +
                'write every part with the same dftrace version',
            );
          if (!first) {
            first = { path, header: h };
            merger = new RunMerger(h.binUs);
            if (opts.out) writer = new PartWriter(opts.out, { ...h, shards: rangeTo(h.shardCount) });
          } else checkSameRun(first, path, h);
          for (const s of h.shards) {
            if (seen.has(s))
              throw new Error(`shard ${s}/${h.shardCount} is given twice: ${seen.get(s)} and ${path}`);
            seen.set(s, path);
          }
        },
        (line) => {
          let e: PartEntry;
          try {
            e = JSON.parse(line, reviver) as PartEntry;
          } catch {
            throw new Error(`${path}: an entry is not whole JSON: the part is cut or was edited`);
          }
          const h = first!.header;
          if (!(e.trace >= 0 && e.trace < h.files.length) || traces.has(e.trace))
            throw new Error(`${path}: an entry for trace file ${e.trace} that does not belong there`);
          if (e.summary.path !== h.files[e.trace].path)
            throw new Error(
              `${path}: entry ${e.trace} is ${e.summary.path}, the run lists ${h.files[e.trace].path}`,
            );
          traces.add(e.trace);
          writer?.addLine(line);
          merger!.add(e.summary, e.trace);
        },
      );
    }
    const h = first!.header;
    const missing = rangeTo(h.shardCount).filter((s) => !seen.has(s));
    if (missing.length > 0)
      throw new Error(
        `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${h.shardCount} missing: ` +
          'merge needs every part of the run',
      );
    const lost = h.files.filter((_, i) => !traces.has(i));
    if (lost.length > 0)
      throw new Error(`the parts lack ${lost.length} trace files of the run, e.g. ${lost[0].path}`);
    await writer?.finish();
    return merger!.finish();
  } catch (e) {
    await writer?.abandon();
    throw e;
  }
}

function checkSameRun(first: { path: string; header: PartHeader }, path: string, h: PartHeader): void {
  const a = first.header;
  const differ = (what: string) =>
    new Error(`${basename(path)} and ${basename(first.path)} are parts of different runs: ${what}`);
  if (h.shardCount !== a.shardCount) throw differ(`split into ${h.shardCount} and ${a.shardCount} shards`);
  if (h.binUs !== a.binUs) throw differ(`time bins of ${h.binUs} and ${a.binUs} µs`);
  if (h.files.length !== a.files.length) throw differ(`${h.files.length} and ${a.files.length} trace files`);
  for (let i = 0; i < h.files.length; i++) {
    const x = h.files[i];
    const y = a.files[i];
    if (x.path !== y.path) throw differ(`trace file ${i + 1} is ${x.path} in one, ${y.path} in the other`);
    if (x.size !== y.size || x.mtimeMs !== y.mtimeMs)
      throw differ(`${x.path} changed between them (size ${x.size} vs ${y.size} bytes)`);
  }
}

function rangeTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** Opens a whole-run summary file (`*.dftrace-summary.json`, a merged part) as the run's summary. */
export function loadSummaryFile(path: string): Promise<RunSummary> {
  return mergeParts([path]);
}
