import { tableFromIPC, type Vector } from 'apache-arrow';
import { fmtBytes, fmtUs } from '../../src/engine/format';
import type { EventRef, SortColumn } from '../../src/protocol';

/** One row of an EventsPage (see the column list in src/protocol.ts). */
export interface EventRow {
  /** Row number in the current order and filter (0-based). */
  index: number;
  relUs: number;
  ts: number;
  dur: number;
  op: string;
  cat: string;
  bytes: number;
  /** NaN: the call has no offset. */
  offset: number;
  pid: number;
  tid: number;
  host: string;
  /** Path of the trace file the event was read from. */
  trace: string;
  traceIndex: number;
  line: number;
  lineOffset: number;
}

const NUMERIC = [
  'index',
  'relUs',
  'ts',
  'dur',
  'bytes',
  'offset',
  'pid',
  'tid',
  'traceIndex',
  'line',
  'lineOffset',
] as const;
const TEXT = ['op', 'cat', 'host', 'trace'] as const;

/**
 * Arrow IPC bytes -> row objects. A page is a few hundred rows, so objects cost little here and make the render
 * loop simple; the host never sends the whole file.
 */
export function decodeRows(bytes: Uint8Array): EventRow[] {
  const table = tableFromIPC(bytes);
  const n = table.numRows;
  const num = {} as Record<(typeof NUMERIC)[number], ArrayLike<number>>;
  for (const k of NUMERIC) num[k] = numbers(table.getChild(k), n);
  const text = {} as Record<(typeof TEXT)[number], (i: number) => string>;
  for (const k of TEXT) {
    const v = table.getChild(k);
    text[k] = (i) => (v ? String(v.get(i) ?? '') : '');
  }
  const rows: EventRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = {
      index: num.index[i],
      relUs: num.relUs[i],
      ts: num.ts[i],
      dur: num.dur[i],
      op: text.op(i),
      cat: text.cat(i),
      bytes: num.bytes[i],
      offset: num.offset[i],
      pid: num.pid[i],
      tid: num.tid[i],
      host: text.host(i),
      trace: text.trace(i),
      traceIndex: num.traceIndex[i],
      line: num.line[i],
      lineOffset: num.lineOffset[i],
    };
  }
  return rows;
}

/** A missing column reads as NaN rather than failing the page: the view shows '—' for it. */
function numbers(v: Vector | null, n: number): ArrayLike<number> {
  if (!v) return new Float64Array(n).fill(NaN);
  const a = v.toArray() as ArrayLike<number | bigint>;
  if (a.length === n && (a instanceof Float64Array || a instanceof Int32Array)) return a;
  return Float64Array.from({ length: n }, (_, i) => Number(a[i]));
}

export function refOf(row: EventRow): EventRef {
  return { trace: row.traceIndex, line: row.line, offset: row.lineOffset };
}

export function sameRef(a: EventRef | undefined, b: EventRef | undefined): boolean {
  return !!a && !!b && a.trace === b.trace && a.line === b.line;
}

export const DASH = '—';

/**
 * DFTracer stamps events in microseconds since the epoch; some tools write times relative to the process start.
 * Anything before 2001-09 (1e15 µs) is taken as relative and shown as raw microseconds.
 */
const EPOCH_US_MIN = 1e15;

/** Local wall-clock time with microseconds ("2024-05-01 12:34:56.123456"), or raw µs for relative stamps. */
export function fmtAbsTime(ts: number): string {
  if (!Number.isFinite(ts)) return DASH;
  if (ts < EPOCH_US_MIN) return `${fmtInt(ts)} µs`;
  const ms = Math.floor(ts / 1000);
  const d = new Date(ms);
  const frac = Math.floor(ts - ms * 1000) + (ms - Math.floor(ms / 1000) * 1000) * 1000;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ` +
    `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(frac, 6)}`
  );
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Digits grouped like fmtCount, without Intl: toLocaleString costs microseconds a call, and a fast scroll formats
 * thousands of cells (row numbers, offsets, tooltips) a second.
 */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return DASH;
  const r = Math.round(n);
  const digits = String(Math.abs(r));
  if (digits.length <= 3 || digits.includes('e')) return String(r);
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return r < 0 ? `-${out}` : out;
}

export function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** What Ctrl/Cmd+C puts on the clipboard: the event as JSON, numbers exact, no formatting. */
export function rowJson(row: EventRow, file: string): string {
  const num = (n: number) => (Number.isFinite(n) ? n : null);
  return JSON.stringify(
    {
      row: row.index + 1,
      file,
      op: row.op,
      cat: row.cat,
      ts: num(row.ts),
      relUs: num(row.relUs),
      dur: num(row.dur),
      bytes: num(row.bytes),
      offset: num(row.offset),
      pid: num(row.pid),
      tid: num(row.tid),
      host: row.host,
      trace: row.trace,
      line: num(row.line),
    },
    null,
    2,
  );
}

export interface Column {
  id: string;
  label: string;
  /** Header tooltip. */
  title: string;
  /** px; fixed so a row's cells line up with the header without measuring. */
  width: number;
  numeric?: boolean;
  mono?: boolean;
  /** The host order a click on the header asks for. */
  sort?: SortColumn;
  /** Direction of the first click: largest first where the interesting events are the big ones. */
  firstDescending?: boolean;
  text(row: EventRow): string;
  tip?(row: EventRow): string;
}

const exact = (n: number, unit: string) => (Number.isFinite(n) ? `${fmtInt(n)} ${unit}` : DASH);
const int = (n: number) => (Number.isFinite(n) ? String(n) : DASH);

export const COLUMNS: Column[] = [
  {
    id: 'row',
    label: '#',
    title: 'Row number in this order',
    width: 80,
    numeric: true,
    text: (r) => fmtInt(r.index + 1),
  },
  {
    id: 'rel',
    label: 't+',
    title: "Time since the run's first event",
    width: 82,
    numeric: true,
    sort: 'time',
    text: (r) => fmtUs(r.relUs),
    tip: (r) => exact(r.relUs, 'µs since the run started'),
  },
  {
    id: 'ts',
    label: 'Time',
    title: 'Start time (local), microseconds',
    width: 230,
    mono: true,
    sort: 'time',
    text: (r) => fmtAbsTime(r.ts),
    tip: (r) => exact(r.ts, 'µs'),
  },
  {
    id: 'op',
    label: 'Op',
    title: 'Call (event name)',
    width: 110,
    sort: 'op',
    text: (r) => r.op,
    tip: (r) => (r.cat ? `${r.op} (${r.cat})` : r.op),
  },
  {
    id: 'dur',
    label: 'Duration',
    title: 'Duration of the call',
    width: 92,
    numeric: true,
    sort: 'dur',
    firstDescending: true,
    text: (r) => fmtUs(r.dur),
    tip: (r) => exact(r.dur, 'µs'),
  },
  {
    id: 'bytes',
    label: 'Bytes',
    title: 'Bytes the call moved',
    width: 88,
    numeric: true,
    sort: 'bytes',
    firstDescending: true,
    text: (r) => (Number.isFinite(r.bytes) ? fmtBytes(r.bytes) : DASH),
    tip: (r) => exact(r.bytes, 'B'),
  },
  {
    id: 'offset',
    label: 'Offset',
    title: 'File offset of the call (pread/pwrite/lseek)',
    width: 116,
    numeric: true,
    sort: 'offset',
    text: (r) => fmtInt(r.offset),
    tip: (r) =>
      Number.isFinite(r.offset) ? `${fmtBytes(r.offset)} (0x${r.offset.toString(16)})` : 'no offset',
  },
  {
    id: 'pid',
    label: 'PID',
    title: 'Process',
    width: 72,
    numeric: true,
    sort: 'pid',
    text: (r) => int(r.pid),
  },
  { id: 'tid', label: 'TID', title: 'Thread', width: 72, numeric: true, text: (r) => int(r.tid) },
  {
    id: 'host',
    label: 'Host',
    title: 'Host name',
    width: 110,
    text: (r) => r.host || DASH,
    tip: (r) => r.host,
  },
  {
    id: 'trace',
    label: 'Trace file',
    title: 'The trace file the event was read from',
    width: 220,
    text: (r) => basename(r.trace),
    tip: (r) => r.trace,
  },
  {
    id: 'line',
    label: 'Line',
    title: 'Line in the (decompressed) trace file',
    width: 72,
    numeric: true,
    text: (r) => int(r.line),
  },
];
