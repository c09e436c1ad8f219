import { forEachLine } from '../read/lines';
import { newReadStatus, readTraceBytes, type ReadStatus } from '../read/trace-bytes';
import { LineFields, LineKind, Ph, scanLine, type Span } from '../scan/line-scanner';
import { decodeJsonString, Interner } from '../scan/interner';
import { bytesRule, callBytes, type BytesRule } from '../model/io-ops';
import { PositionalHashes } from './hash-positions';
import { int64Token, keyToken, keyTokens } from './int64-tokens';

/**
 * One row group of a trace file's complete events, as columns. 64-bit integer columns hold a number while the value
 * is a safe integer and a bigint beyond (ids and offsets above 2^53 keep every digit); null where absent.
 */
export interface EventRowGroup {
  length: number;
  line: number[];
  pid: Int64[];
  tid: Int64[];
  hostname: (string | null)[];
  ts: Int64[];
  dur: Int64[];
  cat: (string | null)[];
  name: (string | null)[];
  file: string[];
  bytes: number[];
  offset: Int64[];
  ret: Int64[];
  level: Int64[];
  p_idx: Int64[];
}

export type Int64 = number | bigint | null;

/** The tables for hashes used before their declaration (see PositionalHashes). Plain data: crosses to a worker. */
export interface LaterHashes {
  fileFirst: [string, string][];
  hostFirst: [string, string][];
  runFiles: [string, string][];
  runHosts: [string, string][];
}

export interface ReadRowsOptions {
  /** Without them, a hash used before its declaration stops the output (see RowsRead.needsLaterTables). */
  later?: LaterHashes;
  /** Rows per group handed to `onGroup` (memory holds one group). */
  groupRows: number;
  signal?: AbortSignal;
  onProgress?: (compressedDone: number, events: number) => void;
}

export function newRowGroup(): EventRowGroup {
  return {
    length: 0,
    line: [],
    pid: [],
    tid: [],
    hostname: [],
    ts: [],
    dur: [],
    cat: [],
    name: [],
    file: [],
    bytes: [],
    offset: [],
    ret: [],
    level: [],
    p_idx: [],
  };
}

const LEVEL = Buffer.from('level');
const P_IDX = Buffer.from('p_idx');
const KEYS = { pid: 'pid', tid: 'tid', ts: 'ts', dur: 'dur', ret: 'ret', offset: 'offset' } as const;

/**
 * Streams one trace file's complete events in row groups, in file order, with names resolved as the summary
 * contract says: `file` is args.fname, else args.fhash resolved by position (PositionalHashes), else
 * `fhash:<hash>`, else ''; `bytes` is the contract's rule. Lines the summary counts as bad are skipped here too.
 * `onGroup` writes a group before reading goes on, so memory holds one group.
 */
export async function readEventRows(
  path: string,
  opts: ReadRowsOptions,
  onGroup: (g: EventRowGroup) => void,
): Promise<RowsRead> {
  const f = new LineFields();
  const later = opts.later;
  const files = later
    ? new PositionalHashes(new Map(later.fileFirst), new Map(later.runFiles))
    : new PositionalHashes();
  const hosts = later
    ? new PositionalHashes(new Map(later.hostFirst), new Map(later.runHosts))
    : new PositionalHashes();
  // strings repeat on almost every line: intern their bytes once
  const names = new Interner();
  const cats = new Interner();
  const paths = new Interner();
  const hostNames = new Interner();
  const rules: BytesRule[] = [];
  const status = newReadStatus();
  let g = newRowGroup();
  let rows = 0;
  let lastProgress = 0;
  const tree = new Int32Array(4);
  const stopped = () => files.needsLaterTables || hosts.needsLaterTables;
  const text = (b: Buffer, s: Span) => b.toString('latin1', s.start, s.end);
  const sink = (b: Buffer, start: number, end: number, lineNo: number) => {
    if (scanLine(b, start, end, f) !== LineKind.Object) return;
    if (f.ph === Ph.Metadata) {
      declare(b, f, files, hosts);
      return;
    }
    if (f.ph !== Ph.Complete && f.ph !== Ph.None) return;
    const i = g.length++;
    rows++;
    g.line.push(lineNo);
    g.pid.push(exact(f.pid, b, start, end, KEYS.pid));
    g.tid.push(exact(f.tid, b, start, end, KEYS.tid));
    g.ts.push(exact(f.ts, b, start, end, KEYS.ts));
    g.dur.push(exact(f.dur, b, start, end, KEYS.dur));
    g.offset.push(exact(f.offset, b, start, end, KEYS.offset));
    g.ret.push(exact(f.ret, b, start, end, KEYS.ret));
    keyTokens(b, start, end, LEVEL, P_IDX, tree);
    g.level.push(tree[0] >= 0 ? int64Token(b, tree[0], tree[1]) : null);
    g.p_idx.push(tree[2] >= 0 ? int64Token(b, tree[2], tree[3]) : null);
    const nameId = f.name.present ? names.span(b, f.name) : -1;
    g.name.push(nameId >= 0 ? names.strings[nameId] : null);
    g.cat.push(f.cat.present ? cats.strings[cats.span(b, f.cat)] : null);
    if (f.fname.present) g.file.push(paths.strings[paths.span(b, f.fname)]);
    else if (f.fhash.present) {
      const hash = text(b, f.fhash);
      g.file.push(files.resolve(hash) ?? `fhash:${hash}`);
    } else g.file.push('');
    if (f.hostname.present) g.hostname.push(hostNames.strings[hostNames.span(b, f.hostname)]);
    else if (f.hhash.present) {
      const hash = text(b, f.hhash);
      g.hostname.push(hosts.resolve(hash) ?? `hhash:${hash}`);
    } else g.hostname.push(null);
    if (nameId >= 0) rules[nameId] ??= bytesRule(names.strings[nameId]);
    g.bytes.push(nameId >= 0 ? callBytes(rules[nameId], f.ret, f.size) : 0);
    if (i + 1 >= opts.groupRows) {
      // once a name is known to be wrong, the rows are dropped: the file is read on only for its declarations
      if (!stopped()) onGroup(g);
      g = newRowGroup();
    }
  };
  await forEachLine(readTraceBytes(path, status, opts.signal), (b, s, e, lineNo) => {
    sink(b, s, e, lineNo);
    if (opts.onProgress && (lineNo & 4095) === 0) {
      const now = Date.now();
      if (now - lastProgress >= 100) {
        lastProgress = now;
        opts.onProgress(status.compressedDone, rows);
      }
    }
  });
  if (g.length > 0 && !stopped()) onGroup(g);
  opts.onProgress?.(status.compressedDone, rows);
  return {
    rows,
    read: status,
    needsLaterTables: stopped(),
    fileFirst: files.firstDeclarations(),
    hostFirst: hosts.firstDeclarations(),
  };
}

export interface RowsRead {
  rows: number;
  read: ReadStatus;
  /** Read without `later`, a hash was used before its file declared it: the rows are incomplete; read the file
   * again with the run's tables. */
  needsLaterTables: boolean;
  /** The file's first declaration of each file and host hash (for the run's tables). */
  fileFirst: [string, string][];
  hostFirst: [string, string][];
}

/** An `FH` or `HH` declaration: it names its hash from this line on. */
function declare(b: Buffer, f: LineFields, files: PositionalHashes, hosts: PositionalHashes): void {
  if (!f.argName.present || !f.argValue.present || f.name.end - f.name.start !== 2) return;
  if (b[f.name.start + 1] !== 0x48) return; // 'H'
  const c0 = b[f.name.start];
  const table = c0 === 0x46 ? files : c0 === 0x48 ? hosts : undefined;
  if (!table) return;
  const hash = b.toString('latin1', f.argValue.start, f.argValue.end);
  table.declare(hash, decodeJsonString(b.subarray(f.argName.start, f.argName.end), f.argName.escaped));
}

/**
 * The scanner's value when it is exact (a safe integer); a value beyond 2^53 is read again from its token, as a
 * bigint, so it keeps every digit; a fraction is rounded to whole microseconds; absent is null.
 */
function exact(v: number, b: Buffer, start: number, end: number, key: string): Int64 {
  if (Number.isSafeInteger(v)) return v;
  if (Number.isNaN(v)) return null;
  if (Number.isInteger(v)) {
    const t = keyToken(b, start, end, Buffer.from(key));
    if (t) return int64Token(b, t[0], t[1]);
  }
  return Number.isFinite(v) ? Math.round(v) : null;
}
