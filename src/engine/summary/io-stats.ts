import { IoKind } from '../model/io-ops';

/**
 * What the insight rules need of every data call (reads and writes over POSIX/STDIO), kept as numbers per accessed
 * file: size classes, offset-based access order, the extent written, and every write's duration. Mergeable across
 * the parts of one big file and across the files of a run; every figure is exact (nothing sampled).
 */
export const enum IoField {
  Writes = 0,
  /** Writes whose `ret` was recorded (their size is known). */
  WritesSized,
  /** Sized writes that moved < 1 MiB (contract bytes: ret, or ret*size for fwrite; a failed call moved 0). */
  WritesUnder1M,
  /** Sized writes that moved exactly 1 MiB (so "≤ 1 MiB" = under + exactly). */
  WritesExactly1M,
  Reads,
  ReadsSized,
  ReadsUnder1M,
  /** Writes that carry an explicit offset (pwrite family), their bytes and the furthest byte they reached. */
  WritesWithOffset,
  WriteBytesWithOffset,
  WriteMaxEnd,
  /** Offset-carrying writes that had an offset-carrying predecessor on the same file in the same trace, and of
   * those, how many started at or after the predecessor's end (sequential in Darshan's sense). */
  WritesJudged,
  WritesSequential,
  ReadsWithOffset,
  ReadsJudged,
  ReadsSequential,
  Count,
}
const F = IoField.Count;
export const MIB = 1024 * 1024;

/** Per accessed file figures (row i of `stats` is `files[i]`), plus the run's or file's write durations. */
export interface IoStats {
  files: string[];
  /** files.length * IoField.Count numbers. */
  stats: Float64Array;
  /** Write durations as a histogram with one cell per distinct duration: [dur, count] pairs, ascending. */
  writeDurs: Float64Array;
  /**
   * Only in the parts of a big file scanned in blocks: the first offset and last end of every (block, file, kind)
   * stream, so that the first access of a block is judged against the previous block's last one when parts merge:
   * [block, first line (within the block), fileIndex, kind (1 read, 2 write), firstOffset, lastEnd] per stream.
   * (A line cut by a block boundary is scanned apart as the block's line 1 or last line: the line orders it.)
   */
  bounds?: Float64Array;
}

/** Durations below this many µs (integers) are counted in a flat array; the rest (slow or fractional) in a map. */
const FLAT_DURS = 16384;
const BOUND = 6;

/** The per-line accumulator: typed arrays indexed by the scanner's file ref, no object per call. */
export class IoStatsBuilder {
  private stats = new Float64Array(0);
  /** Per (ref + 1) * 2 + (write ? 1 : 0): the end of the last offset-carrying access, and the block's first offset. */
  private prevEnd = new Float64Array(0);
  private firstOff = new Float64Array(0);
  private firstLine = new Float64Array(0);
  private refs = 0;
  private flat: Uint32Array | undefined;
  private readonly big = new Map<number, number>();
  private block = -1;
  /** Streams touched in the current block (block mode only). */
  private touched: number[] = [];
  private readonly bounds: number[] = [];

  add(
    fileRef: number,
    kind: IoKind,
    bytes: number,
    dur: number,
    offset: number,
    ret: number,
    block: number,
    lineNo: number,
  ): void {
    const slot = fileRef + 1;
    if (slot >= this.refs) this.grow(slot + 1);
    const s = this.stats;
    const at = slot * F;
    const sized = ret === ret;
    if (kind === IoKind.Write) {
      s[at + IoField.Writes]++;
      if (sized) {
        s[at + IoField.WritesSized]++;
        if (bytes < MIB) s[at + IoField.WritesUnder1M]++;
        else if (bytes === MIB) s[at + IoField.WritesExactly1M]++;
      }
      if (dur < FLAT_DURS && dur === Math.floor(dur)) (this.flat ??= new Uint32Array(FLAT_DURS))[dur]++;
      else this.big.set(dur, (this.big.get(dur) ?? 0) + 1);
    } else {
      s[at + IoField.Reads]++;
      if (sized) {
        s[at + IoField.ReadsSized]++;
        if (bytes < MIB) s[at + IoField.ReadsUnder1M]++;
      }
    }
    if (offset !== offset || offset < 0) return;
    const end = offset + bytes;
    if (kind === IoKind.Write) {
      s[at + IoField.WritesWithOffset]++;
      s[at + IoField.WriteBytesWithOffset] += bytes;
      if (end > s[at + IoField.WriteMaxEnd]) s[at + IoField.WriteMaxEnd] = end;
    } else s[at + IoField.ReadsWithOffset]++;
    if (block !== this.block) this.newBlock(block);
    const stream = slot * 2 + (kind === IoKind.Write ? 1 : 0);
    const prev = this.prevEnd[stream];
    if (prev === prev) {
      const w = kind === IoKind.Write;
      s[at + (w ? IoField.WritesJudged : IoField.ReadsJudged)]++;
      if (offset >= prev) s[at + (w ? IoField.WritesSequential : IoField.ReadsSequential)]++;
    } else if (block >= 0) {
      this.firstOff[stream] = offset;
      this.firstLine[stream] = lineNo;
      this.touched.push(stream);
    }
    this.prevEnd[stream] = end;
  }

  private grow(refs: number): void {
    const n = Math.max(refs, this.refs * 2, 8);
    const stats = new Float64Array(n * F);
    stats.set(this.stats);
    this.stats = stats;
    const prev = new Float64Array(n * 2).fill(NaN);
    prev.set(this.prevEnd);
    this.prevEnd = prev;
    const first = new Float64Array(n * 2).fill(NaN);
    first.set(this.firstOff);
    this.firstOff = first;
    const line = new Float64Array(n * 2);
    line.set(this.firstLine);
    this.firstLine = line;
    this.refs = n;
  }

  /** A block's streams end: their first offset and last end are recorded, and the next block starts afresh. */
  private newBlock(block: number): void {
    this.flushBlock();
    this.block = block;
  }

  private flushBlock(): void {
    for (const stream of this.touched) {
      const kind = stream & 1 ? 2 : 1;
      const ref = (stream >> 1) - 1;
      this.bounds.push(
        this.block,
        this.firstLine[stream],
        ref,
        kind,
        this.firstOff[stream],
        this.prevEnd[stream],
      );
      this.prevEnd[stream] = NaN;
      this.firstOff[stream] = NaN;
    }
    this.touched = [];
  }

  /** `fileName(ref)` names a file ref (-1: no file). */
  build(fileName: (ref: number) => string): IoStats {
    this.flushBlock();
    const files: string[] = [];
    const rows: number[] = [];
    const bySlot = new Int32Array(this.refs).fill(-1);
    const index = new Map<string, number>();
    for (let slot = 0; slot < this.refs; slot++) {
      if (this.stats[slot * F + IoField.Writes] === 0 && this.stats[slot * F + IoField.Reads] === 0) continue;
      const name = fileName(slot - 1);
      let i = index.get(name);
      if (i === undefined) {
        index.set(name, (i = files.length));
        files.push(name);
      }
      bySlot[slot] = i;
      rows.push(slot);
    }
    const stats = new Float64Array(files.length * F);
    for (const slot of rows) addRow(stats, bySlot[slot], this.stats, slot);
    const out: IoStats = { files, stats, writeDurs: this.durations() };
    if (this.bounds.length > 0) {
      const b = Float64Array.from(this.bounds);
      for (let i = 0; i < b.length; i += BOUND) b[i + 2] = bySlot[b[i + 2] + 1];
      out.bounds = b;
    }
    return out;
  }

  private durations(): Float64Array {
    const cells: number[] = [];
    const flat = this.flat;
    if (flat) for (let d = 0; d < FLAT_DURS; d++) if (flat[d] > 0) cells.push(d, flat[d]);
    const big = [...this.big].sort((a, b) => a[0] - b[0]);
    const out = new Float64Array(cells.length + big.length * 2);
    out.set(cells);
    let k = cells.length;
    for (const [d, n] of big) {
      out[k++] = d;
      out[k++] = n;
    }
    // a fractional duration below FLAT_DURS sits in the map: merge to keep one ascending list
    return big.length > 0 && cells.length > 0 && big[0][0] < cells[cells.length - 2]
      ? mergeDurations(out.subarray(0, cells.length), out.subarray(cells.length))
      : out;
  }
}

/** Adds row `from` of `src` into row `to` of `dst` (sums, and the furthest end). */
function addRow(dst: Float64Array, to: number, src: Float64Array, from: number): void {
  const a = to * F;
  const b = from * F;
  for (let k = 0; k < F; k++) {
    if (k === IoField.WriteMaxEnd) dst[a + k] = Math.max(dst[a + k], src[b + k]);
    else dst[a + k] += src[b + k];
  }
}

/** Two ascending [dur, count] histograms as one. */
export function mergeDurations(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {
      out[k++] = a[i++];
      out[k++] = a[i++];
    } else if (i >= a.length || b[j] < a[i]) {
      out[k++] = b[j++];
      out[k++] = b[j++];
    } else {
      out[k++] = a[i];
      out[k++] = a[i + 1] + b[j + 1];
      i += 2;
      j += 2;
    }
  }
  return out.slice(0, k);
}

/**
 * Joins IoStats by file name (the caller resolves names: a hash one part used may be declared by another). Parts
 * of one file carry `bounds`; pass them in any order: streams are joined in block order, so the first access of
 * a block is judged against the last access of the same stream in an earlier block, as a single pass would.
 */
export class IoStatsMerger {
  private readonly index = new Map<string, number>();
  private readonly files: string[] = [];
  private acc = new Float64Array(0);
  private durs: Float64Array = new Float64Array(0);
  private readonly bounds: {
    block: number;
    line: number;
    file: number;
    kind: number;
    first: number;
    last: number;
  }[] = [];

  add(s: IoStats | undefined, name: (file: string) => string = (f) => f): void {
    if (!s) return;
    const map = s.files.map((f) => this.fileIndex(name(f)));
    if (this.acc.length < this.files.length * F) {
      const grown = new Float64Array(Math.max(this.files.length, (this.acc.length / F) * 2) * F);
      grown.set(this.acc);
      this.acc = grown;
    }
    const acc = this.acc;
    map.forEach((to, from) => addRow(acc, to, s.stats, from));
    this.durs = mergeDurations(this.durs, s.writeDurs);
    const b = s.bounds;
    if (b)
      for (let i = 0; i < b.length; i += BOUND)
        this.bounds.push({
          block: b[i],
          line: b[i + 1],
          file: map[b[i + 2]],
          kind: b[i + 3],
          first: b[i + 4],
          last: b[i + 5],
        });
  }

  private fileIndex(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      this.index.set(name, (i = this.files.length));
      this.files.push(name);
    }
    return i;
  }

  finish(): IoStats {
    const stats = this.acc.slice(0, this.files.length * F);
    const last = new Map<number, number>();
    this.bounds.sort((a, b) => a.block - b.block || a.line - b.line);
    for (const s of this.bounds) {
      const stream = s.file * 2 + (s.kind === 2 ? 1 : 0);
      const prev = last.get(stream);
      if (prev !== undefined) {
        const w = s.kind === 2;
        stats[s.file * F + (w ? IoField.WritesJudged : IoField.ReadsJudged)]++;
        if (s.first >= prev) stats[s.file * F + (w ? IoField.WritesSequential : IoField.ReadsSequential)]++;
      }
      last.set(stream, s.last);
    }
    // files in name order: the order parts and files arrive in must not show
    const order = this.files.map((_, i) => i).sort((a, b) => cmp(this.files[a], this.files[b]));
    const sorted = new Float64Array(stats.length);
    order.forEach((from, to) => sorted.set(stats.subarray(from * F, from * F + F), to * F));
    return { files: order.map((i) => this.files[i]), stats: sorted, writeDurs: this.durs };
  }
}

/** Field `k` of file row `i`. */
export function ioField(s: IoStats, i: number, k: IoField): number {
  return s.stats[i * F + k];
}

export function emptyIoStats(): IoStats {
  return { files: [], stats: new Float64Array(0), writeDurs: new Float64Array(0) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
