/**
 * Every write call of a file as columns (for timelines and "jump to this write"), bounded: past `cap` rows, every
 * other row is dropped and only every `stride`-th later write is kept, so a file of millions of writes still costs
 * at most `cap` rows, spread evenly over its time. The slowest calls are kept separately, never sampled away.
 */
export interface WriteTable {
  length: number;
  /** Writes seen in all, of which `length` are kept (every `stride`-th). */
  total: number;
  stride: number;
  /** File names; `file` holds indices into it. */
  files: string[];
  file: Uint32Array;
  ts: Float64Array;
  dur: Float64Array;
  bytes: Float64Array;
  line: Float64Array;
  offset: Float64Array;
  pid: Float64Array;
  tid: Float64Array;
  /** Only while a big file is scanned in blocks: each row's block. */
  block?: Int32Array;
  /** Index of the trace file in its run (set when runs merge). */
  trace?: Uint32Array;
}

export const WRITES_PER_FILE = 20_000;
export const WRITES_PER_RUN = 400_000;

const NUM = ['ts', 'dur', 'bytes', 'line', 'offset', 'pid', 'tid'] as const;
type NumCol = (typeof NUM)[number];

export class WriteTableBuilder {
  length = 0;
  total = 0;
  stride = 1;
  private skip = 0;
  readonly file: Uint32Array;
  readonly block: Int32Array;
  readonly num: Record<NumCol, Float64Array>;

  constructor(readonly cap = WRITES_PER_FILE) {
    this.file = new Uint32Array(cap);
    this.block = new Int32Array(cap);
    this.num = Object.fromEntries(NUM.map((k) => [k, new Float64Array(cap)])) as Record<NumCol, Float64Array>;
  }

  /** Returns the row to fill, or -1 when sampling skips this write. */
  add(): number {
    this.total++;
    if (this.skip > 0) {
      this.skip--;
      return -1;
    }
    if (this.length === this.cap) this.halve();
    this.skip = this.stride - 1;
    return this.length++;
  }

  private halve(): void {
    let j = 0;
    for (let i = 0; i < this.length; i += 2, j++) {
      this.file[j] = this.file[i];
      this.block[j] = this.block[i];
      for (const k of NUM) this.num[k][j] = this.num[k][i];
    }
    this.length = j;
    this.stride *= 2;
  }

  build(files: string[], withBlocks: boolean): WriteTable {
    const n = this.length;
    const t: WriteTable = {
      length: n,
      total: this.total,
      stride: this.stride,
      files,
      file: this.file.slice(0, n),
      ...(Object.fromEntries(NUM.map((k) => [k, this.num[k].slice(0, n)])) as Record<NumCol, Float64Array>),
    };
    if (withBlocks) t.block = this.block.slice(0, n);
    return t;
  }
}

/**
 * Concatenates tables (of one file's parts, or of a run's files), re-coding file names, optionally mapping each
 * part's rows to a trace index and fixing block-relative line numbers; rows are then thinned to `cap` if needed.
 */
export function concatWriteTables(
  parts: { table: WriteTable; trace?: number }[],
  cap: number,
  lineBase?: number[],
  offsetBase?: number[],
): WriteTable {
  const names = new Map<string, number>();
  const files: string[] = [];
  let total = 0;
  let rows = 0;
  let stride = 1;
  for (const { table } of parts) {
    total += table.total;
    rows += table.length;
    stride = Math.max(stride, table.stride);
  }
  const step = rows > cap ? Math.ceil(rows / cap) : 1;
  const n = Math.ceil(rows / step);
  const out: WriteTable = {
    length: 0,
    total,
    stride: stride * step,
    files,
    file: new Uint32Array(n),
    trace: new Uint32Array(n),
    ...(Object.fromEntries(NUM.map((k) => [k, new Float64Array(n)])) as Record<NumCol, Float64Array>),
  };
  let seen = 0;
  for (const { table, trace } of parts) {
    // names get ids in order of first use by a kept row, so the dictionary does not depend on how work was split
    const map = new Int32Array(table.files.length).fill(-1);
    const idOf = (local: number): number => {
      if (map[local] >= 0) return map[local];
      const f = table.files[local];
      let id = names.get(f);
      if (id === undefined) {
        id = files.length;
        files.push(f);
        names.set(f, id);
      }
      return (map[local] = id);
    };
    for (let i = 0; i < table.length; i++, seen++) {
      if (seen % step !== 0) continue;
      const j = out.length++;
      out.file[j] = idOf(table.file[i]);
      out.trace![j] = trace ?? table.trace?.[i] ?? 0;
      for (const k of NUM) out[k][j] = table[k][i];
      if (lineBase && table.block) out.line[j] += lineBase[table.block[i]];
      if (offsetBase && table.block) out.offset[j] += offsetBase[table.block[i]];
    }
  }
  return out;
}

/** The table with its rows in the given order (and its names in order of first use by those rows). */
export function reorderWrites(t: WriteTable, order: ArrayLike<number>): WriteTable {
  const n = order.length;
  const files: string[] = [];
  const map = new Int32Array(t.files.length).fill(-1);
  const out: WriteTable = { ...t, length: n, files, file: new Uint32Array(n) };
  for (const k of NUM) out[k] = new Float64Array(n);
  if (t.trace) out.trace = new Uint32Array(n);
  delete out.block;
  for (let j = 0; j < n; j++) {
    const i = order[j];
    const local = t.file[i];
    if (map[local] < 0) {
      map[local] = files.length;
      files.push(t.files[local]);
    }
    out.file[j] = map[local];
    if (out.trace) out.trace[j] = t.trace![i];
    for (const k of NUM) out[k][j] = t[k][i];
  }
  return out;
}
