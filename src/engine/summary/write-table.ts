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
 * Column by column: a loop per column is a plain copy, where a loop over rows that picks columns by name is not.
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
    length: n,
    total,
    stride: stride * step,
    files,
    file: new Uint32Array(n),
    trace: new Uint32Array(n),
    ...(Object.fromEntries(NUM.map((k) => [k, new Float64Array(n)])) as Record<NumCol, Float64Array>),
  };
  let seen = 0;
  let at = 0;
  for (const { table, trace } of parts) {
    // the rows kept of this part: every step-th of the concatenation
    const first = (step - (seen % step)) % step;
    const kept = first < table.length ? Math.ceil((table.length - first) / step) : 0;
    seen += table.length;
    // names get ids in order of first use by a kept row, so the dictionary does not depend on how work was split
    const map = new Int32Array(table.files.length).fill(-1);
    for (let r = 0, i = first; r < kept; r++, i += step) {
      const local = table.file[i];
      let id = map[local];
      if (id < 0) {
        const f = table.files[local];
        id = names.get(f) ?? -1;
        if (id < 0) {
          id = files.length;
          files.push(f);
          names.set(f, id);
        }
        map[local] = id;
      }
      out.file[at + r] = id;
    }
    const traces = out.trace!;
    if (trace !== undefined || !table.trace) traces.fill(trace ?? 0, at, at + kept);
    else pick(table.trace, traces, at, first, step, kept);
    for (const k of NUM) pick(table[k], out[k], at, first, step, kept);
    if (table.block && (lineBase || offsetBase)) {
      const block = table.block;
      for (let r = 0, i = first; r < kept; r++, i += step) {
        if (lineBase) out.line[at + r] += lineBase[block[i]];
        if (offsetBase) out.offset[at + r] += offsetBase[block[i]];
      }
    }
    at += kept;
  }
  return out;
}

/** to[at + r] = from[first + r * step] for r < n. */
function pick(
  from: Float64Array | Uint32Array,
  to: Float64Array | Uint32Array,
  at: number,
  first: number,
  step: number,
  n: number,
): void {
  if (step === 1) to.set(from.subarray(first, first + n), at);
  else for (let r = 0, i = first; r < n; r++, i += step) to[at + r] = from[i];
}

/**
 * The rows' order by `key` (ties by row), as a numeric sort of packed numbers when key and row fit in one exact
 * double: sorting tens of thousands of rows through a comparator was a good part of merging a big file's parts.
 * Undefined when the rows are in order already.
 */
export function orderBy(key: Float64Array): Uint32Array | undefined {
  const n = key.length;
  let sorted = true;
  let integral = true;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const k = key[i];
    if (i > 0 && k < key[i - 1]) sorted = false;
    if (!(k >= 0 && Number.isInteger(k))) integral = false;
    else if (k > max) max = k;
  }
  if (sorted) return undefined;
  const order = new Uint32Array(n);
  if (integral && (max + 1) * n < Number.MAX_SAFE_INTEGER) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = key[i] * n + i;
    packed.sort();
    for (let j = 0; j < n; j++) order[j] = packed[j] % n;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => key[a] - key[b] || a - b);
}

/** The table with its rows in the given order (and its names in order of first use by those rows). */
export function reorderWrites(t: WriteTable, order: ArrayLike<number>): WriteTable {
  const n = order.length;
  const files: string[] = [];
  const map = new Int32Array(t.files.length).fill(-1);
  const out: WriteTable = { ...t, length: n, files, file: new Uint32Array(n) };
  delete out.block;
  for (let j = 0; j < n; j++) {
    const local = t.file[order[j]];
    if (map[local] < 0) {
      map[local] = files.length;
      files.push(t.files[local]);
    }
    out.file[j] = map[local];
  }
  const gather = <A extends Float64Array | Uint32Array>(from: A, to: A): A => {
    for (let j = 0; j < n; j++) to[j] = from[order[j]];
    return to;
  };
  for (const k of NUM) out[k] = gather(t[k], new Float64Array(n));
  if (t.trace) out.trace = gather(t.trace, new Uint32Array(n));
  return out;
}
