import { newReadStatus, readTraceBytes } from '../read/trace-bytes';
import { forEachLine } from '../read/lines';
import { LineFields, LineKind, Ph, scanLine } from '../scan/line-scanner';
import { decodeJsonString, Interner } from '../scan/interner';
import { bytesRule, callBytes } from '../model/io-ops';

/** Which events of one trace file to pull out: those that touched one accessed file. */
export interface EventQuery {
  /** The accessed file's path ('' for events that name no file). */
  file: string;
  /**
   * Hash tokens the run resolves to that path (hashed formats name files only by hash): what an event's hash means
   * when its own trace file never declares it. Hashes the file declares resolve by position in the file (FORMAT.md).
   */
  hashes: string[];
  /** Only this op (event name), when given. */
  op?: string;
  tsFrom?: number;
  tsTo?: number;
  /** Index of the trace file in its run, stamped into the `trace` column. */
  trace: number;
}

/**
 * A table of events as columns: typed arrays move between threads and to webviews without a JSON object per
 * event. Strings (op names, categories) are dictionary-encoded.
 */
export interface EventColumns {
  length: number;
  trace: Int32Array;
  /** 1-based line in the decompressed trace text, and the byte offset of that line. */
  line: Float64Array;
  lineOffset: Float64Array;
  ts: Float64Array;
  dur: Float64Array;
  bytes: Float64Array;
  /** args.offset of the call (pread/pwrite/lseek), NaN when the call has none. */
  fileOffset: Float64Array;
  pid: Float64Array;
  tid: Float64Array;
  op: Uint16Array;
  opNames: string[];
  cat: Uint16Array;
  catNames: string[];
}

const NUMERIC = ['line', 'lineOffset', 'ts', 'dur', 'bytes', 'fileOffset', 'pid', 'tid'] as const;

class ColumnBuilder {
  length = 0;
  private cap = 1024;
  trace = new Int32Array(this.cap);
  op = new Uint16Array(this.cap);
  cat = new Uint16Array(this.cap);
  num: Record<(typeof NUMERIC)[number], Float64Array> = Object.fromEntries(
    NUMERIC.map((k) => [k, new Float64Array(this.cap)]),
  ) as Record<(typeof NUMERIC)[number], Float64Array>;

  push(): number {
    if (this.length === this.cap) this.grow();
    return this.length++;
  }

  private grow(): void {
    this.cap *= 2;
    const grow = <T extends Int32Array | Uint16Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(this.cap);
      b.set(a);
      return b;
    };
    this.trace = grow(this.trace, (n) => new Int32Array(n));
    this.op = grow(this.op, (n) => new Uint16Array(n));
    this.cat = grow(this.cat, (n) => new Uint16Array(n));
    for (const k of NUMERIC) this.num[k] = grow(this.num[k], (n) => new Float64Array(n));
  }

  /** Removes the given rows, keeping the others in order. */
  drop(rows: Set<number>): void {
    if (rows.size === 0) return;
    let n = 0;
    for (let j = 0; j < this.length; j++) {
      if (rows.has(j)) continue;
      this.trace[n] = this.trace[j];
      this.op[n] = this.op[j];
      this.cat[n] = this.cat[j];
      for (const k of NUMERIC) this.num[k][n] = this.num[k][j];
      n++;
    }
    this.length = n;
  }

  build(opNames: string[], catNames: string[]): EventColumns {
    const n = this.length;
    return {
      length: n,
      trace: this.trace.slice(0, n),
      op: this.op.slice(0, n),
      cat: this.cat.slice(0, n),
      opNames,
      catNames,
      ...(Object.fromEntries(NUMERIC.map((k) => [k, this.num[k].slice(0, n)])) as Record<
        (typeof NUMERIC)[number],
        Float64Array
      >),
    };
  }
}

/** Reads one trace file and returns the events the query selects, in file order. */
export async function queryTraceEvents(
  path: string,
  q: EventQuery,
  signal?: AbortSignal,
): Promise<EventColumns> {
  const f = new LineFields();
  const names = new Interner();
  const cats = new Interner();
  const paths = new Interner();
  const tokens = new Interner();
  const pathMatch: boolean[] = [];
  // per hash token: does the declaration in force name the file (undefined: none yet in this file), and did the
  // first one (for the events that came before it)
  const tokenMatch: (boolean | undefined)[] = [];
  const firstMatch: (boolean | undefined)[] = [];
  const pendingRows: number[] = [];
  const pendingTokens: number[] = [];
  const rules: number[] = [];
  const out = new ColumnBuilder();
  const status = newReadStatus();
  const from = q.tsFrom ?? -Infinity;
  const to = q.tsTo ?? Infinity;
  await forEachLine(readTraceBytes(path, status, signal), (b, start, end, lineNo, offset) => {
    if (scanLine(b, start, end, f) !== LineKind.Object) return;
    if (f.ph === Ph.Metadata) {
      if (isFileHashDecl(b, f)) {
        const id = tokens.span(b, f.argValue);
        const match =
          decodeJsonString(b.subarray(f.argName.start, f.argName.end), f.argName.escaped) === q.file;
        tokenMatch[id] = match;
        firstMatch[id] ??= match;
      }
      return;
    }
    if (f.ph !== Ph.Complete && f.ph !== Ph.None) return;
    let hit: boolean;
    let pendingToken = -1;
    if (f.fname.present) {
      const id = paths.span(b, f.fname);
      hit = pathMatch[id] ??= paths.strings[id] === q.file;
    } else if (f.fhash.present) {
      const id = tokens.span(b, f.fhash);
      const match = tokenMatch[id];
      // before any declaration in this file: decided at the end, by the file's first later one or the run's
      hit = match ?? true;
      if (match === undefined) pendingToken = id;
    } else hit = q.file === '';
    if (!hit) return;
    const nameId = names.span(b, f.name);
    const op = nameId >= 0 ? names.strings[nameId] : '';
    if (q.op !== undefined && op !== q.op) return;
    if (!(f.ts >= from && f.ts <= to)) return;
    if (nameId >= 0) rules[nameId] ??= bytesRule(op);
    const i = out.push();
    out.trace[i] = q.trace;
    out.op[i] = nameId + 1; // 0 = no name
    out.cat[i] = cats.span(b, f.cat) + 1;
    out.num.line[i] = lineNo;
    out.num.lineOffset[i] = offset;
    out.num.ts[i] = f.ts;
    out.num.dur[i] = f.dur > 0 ? f.dur : 0;
    out.num.bytes[i] = nameId >= 0 ? callBytes(rules[nameId], f.ret, f.size) : 0;
    out.num.fileOffset[i] = f.offset;
    out.num.pid[i] = f.pid;
    out.num.tid[i] = f.tid;
    if (pendingToken >= 0) {
      pendingRows.push(i);
      pendingTokens.push(pendingToken);
    }
  });
  if (pendingRows.length > 0) {
    const run = new Set(q.hashes);
    const drop = new Set<number>();
    pendingRows.forEach((row, k) => {
      const id = pendingTokens[k];
      if (!(firstMatch[id] ?? run.has(tokens.strings[id]))) drop.add(row);
    });
    out.drop(drop);
  }
  return out.build(['', ...names.strings], ['', ...cats.strings]);
}

/** An `FH` metadata line with its hash and path (`{"name":"FH","args":{"name":path,"value":hash}}`). */
function isFileHashDecl(b: Uint8Array, f: LineFields): boolean {
  return (
    f.argName.present &&
    f.argValue.present &&
    f.name.end - f.name.start === 2 &&
    b[f.name.start] === 0x46 &&
    b[f.name.start + 1] === 0x48
  );
}

/** Concatenates tables (from several trace files) into one, re-coding the dictionaries. */
export function concatColumns(parts: EventColumns[]): EventColumns {
  const out = new ColumnBuilder();
  const ops = new Interner(['']);
  const cats = new Interner(['']);
  for (const p of parts) {
    const opMap = p.opNames.map((s) => ops.add(s));
    const catMap = p.catNames.map((s) => cats.add(s));
    for (let j = 0; j < p.length; j++) {
      const i = out.push();
      out.trace[i] = p.trace[j];
      out.op[i] = opMap[p.op[j]];
      out.cat[i] = catMap[p.cat[j]];
      for (const k of NUMERIC) out.num[k][i] = p[k][j];
    }
  }
  return out.build(ops.strings, cats.strings);
}

/** The row order that sorts a table by time (trace file order is end-time order, not start). */
export function orderByTime(c: EventColumns): Uint32Array {
  const idx = new Uint32Array(c.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => c.ts[a] - c.ts[b] || c.trace[a] - c.trace[b] || c.line[a] - c.line[b]);
}

/** The original text of the line that starts at `offset` of the decompressed trace (for "show raw line"). */
export async function readRawLine(path: string, offset: number, maxBytes = 1 << 20): Promise<string> {
  const status = newReadStatus();
  const parts: Buffer[] = [];
  let pos = -1;
  let size = 0;
  // plain text is read from the offset directly; gzip has to be inflated from its start
  for await (const chunk of readTraceBytes(path, status, undefined, offset)) {
    if (pos < 0) pos = status.compressed ? 0 : offset;
    const end = pos + chunk.length;
    if (end > offset) {
      const from = Math.max(0, offset - pos);
      const nl = chunk.indexOf(10, from);
      const stop = nl < 0 ? chunk.length : nl;
      parts.push(chunk.subarray(from, stop));
      size += stop - from;
      if (nl >= 0 || size >= maxBytes) break;
    }
    pos = end;
  }
  return Buffer.concat(parts).subarray(0, maxBytes).toString('utf8');
}
