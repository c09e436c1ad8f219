/**
 * Deterministic writer of DFTracer trace files as three generations of the tracer wrote them, so
 * engine tests and benchmarks can make traces of any size whose content is known in advance.
 * See ../../../shared/FORMAT.md for the format; the shapes below copy the real files in shared/traces.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/**
 * - `'2023'`: dlio-profiler (<= v1.0.4): `[` first line, numbers quoted, plain `fname`/`hostname`.
 * - `'2025'`: v1.0.15: `[` ... `]` (no final newline), hex `fhash`/`hhash` declared by `FH`/`HH`
 *   metadata lines mid-stream, `start`/`end` life-cycle events, one gzip member per 16 MiB of text.
 * - `'2026'`: no brackets, integer `ph` (1 complete, 4 metadata) and `type`, hashed like 2025.
 */
export type Era = '2023' | '2025' | '2026';

export type ArgValue = string | number;

export interface TraceWriterOptions {
  era: Era;
  pid: number;
  hostname: string;
  gzip: boolean;
  /** Text bytes per gzip member. Default: 16 MiB for 2025/2026; 2023 files were one member (Infinity). */
  memberBytes?: number;
  /** Stream to this file as events come; without it the bytes stay in memory (see toBuffer/writeTo). */
  path?: string;
  /** Thread of the metadata and life-cycle lines; default `pid`. */
  tid?: number;
  /** Emit `start`/`end` complete events (cat `dftracer`); default true for 2025/2026, false for 2023. */
  lifecycle?: boolean;
  /** `ts` of the `start` event; default the `ts` of the first complete event. */
  startTs?: number;
  /** Working directory, command line and executable named by the `start` event (hashed eras). */
  cwd?: string;
  cmdline?: string;
  exe?: string;
  version?: string;
  /** Write strings unescaped, as the real tracer does (a `"` in a name then breaks the line). */
  rawStrings?: boolean;
}

export interface CompleteEventInput {
  name: string;
  cat: string;
  /** Default: the writer's `tid`. */
  tid?: number;
  ts: number;
  dur: number;
  /** Default: the next id (see reserveId, which lets a parent written after its children own a smaller id). */
  id?: number;
  /** 2026 `type` column; default 3 (LIBC_IO) for POSIX/STDIO, 1 for dftracer, else 6 (PYTHON). */
  type?: number;
  /**
   * Key order is kept. `fname` becomes `fhash` (declared by an `FH` line) in hashed eras. In 2023,
   * `count/offset/size/length` and the `ret` of size-returning calls are written as quoted strings,
   * and `p_idx`/`level` are dropped (they appeared in 2024). Undefined values are left out.
   */
  args?: Record<string, ArgValue | undefined>;
}

export interface WriteInfo {
  era: Era;
  path?: string;
  /** Complete events, including `start`/`end`. */
  events: number;
  /** Metadata lines (`HH`, `FH`, `SH`, `thread_name`). */
  metadata: number;
  /** Uncompressed size of the text, brackets included. */
  textBytes: number;
  /** Size on disk (compressed size when gzip). */
  fileBytes: number;
  /** Gzip members (0 when not gzip). */
  members: number;
  /** Smallest `ts` and largest `ts + dur` over complete events (NaN when there are none). */
  tsMin: number;
  tsMax: number;
}

const MiB = 1024 * 1024;
const PLAIN_FLUSH_BYTES = MiB;
const STRING_BATCH_CHARS = 256 * 1024;

/** Calls whose return value is a byte count or offset: the only `ret` the 2023 writer quoted. */
const QUOTED_RET_2023 = new Set([
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
  'lseek',
  'lseek64',
  'fread',
  'fwrite',
  'ftell',
]);
const QUOTED_ARGS_2023 = new Set(['count', 'offset', 'size', 'length']);
const DROPPED_ARGS_2023 = new Set(['p_idx', 'level']);

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a 64-bit of the UTF-8 bytes, as 16 lowercase hex chars: the v1.0.9+ hash token shape. */
export function fnv1a64Hex(text: string): string {
  let h = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * FNV_PRIME) & MASK64;
  }
  return h.toString(16).padStart(16, '0');
}

// JSON forbids raw control characters inside strings: those, quotes and backslashes need escaping
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime()-like date of the `start` event, in UTC so the bytes do not depend on the machine's zone. */
function ctimeUtc(tsUs: number): string {
  const d = new Date(Math.floor(tsUs / 1000));
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`
  );
}

export class TraceWriter {
  readonly era: Era;
  private readonly opts: TraceWriterOptions;
  private readonly hashed: boolean;
  private readonly tid: number;
  private readonly memberBytes: number;
  private readonly batchChars: number;
  private readonly lifecycle: boolean;
  private readonly hhash: string;
  private readonly declared = new Map<string, string>();
  private readonly hashCache = new Map<string, string>();

  private nextId: number;
  private started = false;
  private startWritten = false;
  private closed = false;
  private info: WriteInfo | undefined;

  private lines: string[] = [];
  private linesChars = 0;
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private fd: number | undefined;
  private readonly memory: Buffer[] = [];

  private events = 0;
  private metadataLines = 0;
  private textBytes = 0;
  private fileBytes = 0;
  private members = 0;
  private tsMin = Infinity;
  private tsMax = -Infinity;
  private firstEventLine = true;

  constructor(opts: TraceWriterOptions) {
    this.opts = opts;
    this.era = opts.era;
    this.hashed = opts.era !== '2023';
    this.tid = opts.tid ?? opts.pid;
    this.lifecycle = opts.lifecycle ?? this.hashed;
    this.memberBytes = opts.gzip
      ? (opts.memberBytes ?? (opts.era === '2023' ? Infinity : 16 * MiB))
      : PLAIN_FLUSH_BYTES;
    if (!(this.memberBytes > 0)) throw new Error(`memberBytes must be > 0, got ${opts.memberBytes}`);
    this.batchChars = Math.min(STRING_BATCH_CHARS, this.memberBytes);
    // the 2023 writer counted ids from 0; later ones from 1, shared by metadata and events
    this.nextId = opts.era === '2023' ? 0 : 1;
    this.hhash = this.hash(opts.hostname);
    if (opts.path !== undefined) this.fd = fs.openSync(opts.path, 'w');
  }

  /** Takes the next id now, for an event that will be written later (parents end after children). */
  reserveId(): number {
    return this.nextId++;
  }

  /** Hash token of a path or string as this writer writes it (also usable in 2023, which writes none). */
  hash(text: string): string {
    let h = this.hashCache.get(text);
    if (h === undefined) {
      h = fnv1a64Hex(text);
      this.hashCache.set(text, h);
    }
    return h;
  }

  /** Declares a file with an `FH` line now unless already declared; returns its hash. No-op in 2023. */
  fileHash(path: string, tid = this.tid): string {
    this.begin(undefined);
    return this.declare('FH', path, tid);
  }

  /** Writes one complete event; returns its id. */
  complete(ev: CompleteEventInput): number {
    if (this.closed) throw new Error('TraceWriter: complete() after close()');
    this.begin(ev.ts);
    const tid = ev.tid ?? this.tid;
    // the tracer hashes the file name (and may write its FH line) before it numbers the event
    const argsText = this.formatArgs(ev, tid);
    const id = ev.id ?? this.nextId++;
    const s = (x: string) => this.str(x);
    let line: string;
    switch (this.era) {
      case '2023':
        line =
          `{"id":"${id}","name":"${s(ev.name)}","cat":"${s(ev.cat)}","pid":"${this.opts.pid}","tid":"${tid}",` +
          `"ts":"${ev.ts}","dur":"${ev.dur}","ph":"X","args":{"hostname":"${s(this.opts.hostname)}"${argsText}}}`;
        // the dlio-profiler writer indented its first event line
        if (this.firstEventLine) line = ' ' + line;
        break;
      case '2025':
        line =
          `{"id":${id},"name":"${s(ev.name)}","cat":"${s(ev.cat)}","pid":${this.opts.pid},"tid":${tid},` +
          `"ts":${ev.ts},"dur":${ev.dur},"ph":"X","args":{"hhash":"${this.hhash}"${argsText}}}`;
        break;
      case '2026':
        line =
          `{"id":${id},"name":"${s(ev.name)}","cat":"${s(ev.cat)}","type":${ev.type ?? defaultType(ev.cat)},` +
          `"pid":${this.opts.pid},"tid":${tid},"ts":${ev.ts},"dur":${ev.dur},"ph":1,` +
          `"args":{"hhash":"${this.hhash}"${argsText}}}`;
        break;
    }
    this.firstEventLine = false;
    this.events++;
    if (ev.ts < this.tsMin) this.tsMin = ev.ts;
    if (ev.ts + ev.dur > this.tsMax) this.tsMax = ev.ts + ev.dur;
    this.push(line + '\n');
    return id;
  }

  /** Finishes the file (`end` event, closing bracket, last gzip member) and returns what was written. */
  close(): WriteInfo {
    if (this.info) return this.info;
    this.begin(this.opts.startTs ?? 0);
    if (this.lifecycle) {
      const endTs = Number.isFinite(this.tsMax) ? this.tsMax : (this.opts.startTs ?? 0);
      const last = this.nextId - 1;
      this.complete({
        name: 'end',
        cat: 'dftracer',
        ts: endTs,
        dur: 0,
        type: 1,
        args: { p_idx: last, num_events: last, level: 1 },
      });
    }
    this.closed = true;
    // v1.0.15 closes with `]` and no newline; 2023 left the array open; 2026 writes no brackets
    if (this.era === '2025') this.push(']');
    this.flush(true);
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    this.info = {
      era: this.era,
      path: this.opts.path,
      events: this.events,
      metadata: this.metadataLines,
      textBytes: this.textBytes,
      fileBytes: this.fileBytes,
      members: this.members,
      tsMin: this.events > 0 ? this.tsMin : NaN,
      tsMax: this.events > 0 ? this.tsMax : NaN,
    };
    return this.info;
  }

  /** The whole file's bytes (in-memory writers only); closes the writer first. */
  toBuffer(): Buffer {
    if (this.opts.path !== undefined)
      throw new Error('TraceWriter: toBuffer() on a writer that streams to a file');
    this.close();
    return Buffer.concat(this.memory);
  }

  /** Writes an in-memory writer's bytes to `path`; closes the writer first. */
  writeTo(path: string): WriteInfo {
    const bytes = this.toBuffer();
    fs.writeFileSync(path, bytes);
    return { ...this.close(), path };
  }

  private begin(firstTs: number | undefined): void {
    if (!this.started) {
      this.started = true;
      if (this.era !== '2026') this.push('[\n');
      if (this.hashed) {
        this.metadata('HH', this.opts.hostname, this.hhash, this.tid);
        this.metadata('thread_name', String(this.tid), 'thread_name', this.tid);
      }
    }
    if (!this.lifecycle || this.startWritten) return;
    const ts = this.opts.startTs ?? firstTs;
    // fileHash() before any event: the start event waits for a timestamp
    if (ts === undefined) return;
    this.startWritten = true;
    const cwd = this.opts.cwd ?? '/';
    const cmdline = this.opts.cmdline ?? 'python';
    const exe = this.opts.exe ?? cmdline.split(/[; ]/)[0];
    const cwdHash = this.declare('FH', cwd, this.tid);
    const cmdHash = this.declare('SH', cmdline, this.tid);
    const exeHash = this.declare('SH', exe, this.tid);
    this.complete({
      name: 'start',
      cat: 'dftracer',
      ts,
      dur: 0,
      type: 1,
      args: {
        cmd_hash: cmdHash,
        p_idx: -1,
        cwd: cwdHash,
        level: 1,
        exec_hash: exeHash,
        version: this.opts.version ?? (this.era === '2025' ? 'v1.0.15-39-g2df5709' : 'v2.0.3'),
        date: ctimeUtc(ts),
        ppid: this.opts.pid - 1,
      },
    });
  }

  private declare(kind: 'FH' | 'SH', text: string, tid: number): string {
    const h = this.hash(text);
    if (!this.hashed) return h;
    const key = kind + '\u0000' + text;
    if (!this.declared.has(key)) {
      this.declared.set(key, h);
      this.metadata(kind, text, h, tid);
    }
    return h;
  }

  private metadata(name: string, argName: string, value: string, tid: number): void {
    const tail = `"ph":${this.era === '2026' ? 4 : '"M"'},"args":{"hhash":"${this.hhash}","name":"${this.str(argName)}","value":"${this.str(value)}"}}\n`;
    const head =
      this.era === '2026'
        ? `{"name":"${name}","cat":"dftracer","type":1,"pid":${this.opts.pid},"tid":${tid},`
        : `{"id":${this.nextId++},"name":"${name}","cat":"dftracer","pid":${this.opts.pid},"tid":${tid},`;
    this.metadataLines++;
    this.push(head + tail);
  }

  private formatArgs(ev: CompleteEventInput, tid: number): string {
    if (!ev.args) return '';
    let out = '';
    for (const key in ev.args) {
      const v = ev.args[key];
      if (v === undefined) continue;
      if (this.era === '2023') {
        if (DROPPED_ARGS_2023.has(key)) continue;
        const quote =
          typeof v === 'string' ||
          QUOTED_ARGS_2023.has(key) ||
          (key === 'ret' && QUOTED_RET_2023.has(ev.name));
        out += quote ? `,"${key}":"${this.str(String(v))}"` : `,"${key}":${v}`;
      } else if (key === 'fname') {
        out += `,"fhash":"${this.declare('FH', String(v), tid)}"`;
      } else {
        out += typeof v === 'string' ? `,"${key}":"${this.str(v)}"` : `,"${key}":${v}`;
      }
    }
    return out;
  }

  private str(text: string): string {
    if (this.opts.rawStrings || !NEEDS_ESCAPE.test(text)) return text;
    return JSON.stringify(text).slice(1, -1);
  }

  private push(text: string): void {
    this.lines.push(text);
    this.linesChars += text.length;
    if (this.linesChars >= this.batchChars) {
      this.encode();
      if (this.chunkBytes >= this.memberBytes) this.flush(false);
    }
  }

  /**
   * Turns the pending lines into bytes every few hundred KiB, so that line strings die young and a
   * member's text is held as a few large buffers: memory stays near two members' worth of text.
   */
  private encode(): void {
    if (this.linesChars === 0) return;
    const b = Buffer.from(this.lines.join(''), 'utf8');
    this.lines = [];
    this.linesChars = 0;
    this.chunks.push(b);
    this.chunkBytes += b.length;
  }

  /** Emits the pending text: as one gzip member (as the tracer's 16 MiB buffers), or plain. */
  private flush(final: boolean): void {
    this.encode();
    if (this.chunkBytes === 0 && !(final && this.opts.gzip && this.members === 0)) return;
    const text = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [];
    this.chunkBytes = 0;
    this.textBytes += text.length;
    let out = text;
    if (this.opts.gzip) {
      out = zlib.gzipSync(text);
      this.members++;
    }
    this.fileBytes += out.length;
    if (this.fd !== undefined) {
      let off = 0;
      while (off < out.length) off += fs.writeSync(this.fd, out, off, out.length - off);
    } else {
      this.memory.push(out);
    }
  }
}

function defaultType(cat: string): number {
  if (cat === 'POSIX' || cat === 'STDIO') return 3;
  if (cat === 'dftracer') return 1;
  return 6;
}
