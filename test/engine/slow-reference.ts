import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * An independent, deliberately naive implementation of FORMAT.md's summary contract: whole file in memory,
 * JSON.parse per line. The engine's fast path is checked against it.
 */
export interface SlowSummary {
  events: number;
  metadata: number;
  counters: number;
  badLines: number;
  ops: Map<string, { count: number; bytes: number; durUs: number }>;
  /** Every write call, slowest first (equal durations in file order). */
  writes: SlowWrite[];
}

export interface SlowWrite {
  file: string;
  op: string;
  durUs: number;
  bytes: number;
  ts: number;
  pid: number;
  tid: number;
  traceFile: string;
  line: number;
}

const WRITE_OPS = new Set('write pwrite pwrite64 writev pwritev pwritev2 fwrite'.split(' '));

const RET_OPS = new Set(
  'read write pread pwrite pread64 pwrite64 readv writev preadv pwritev preadv2 pwritev2'.split(' '),
);

type Json = Record<string, unknown>;
/** Raw control characters, which the contract accepts inside strings and JSON.parse does not. */
const CONTROL = new RegExp('[\\u0000-\\u001f]', 'g');

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

export function slowSummaries(paths: string[]): SlowSummary {
  const parsed: [Json, number, string][][] = [];
  const out: SlowSummary = { events: 0, metadata: 0, counters: 0, badLines: 0, ops: new Map(), writes: [] };
  const runFh = new Map<string, string>();
  /** Per file: each hash's declarations in line order, [line, path]. */
  const fileFh: Map<string, [number, string][]>[] = [];
  for (const path of paths) {
    let data = readFileSync(path);
    if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
    const objs: [Json, number, string][] = [];
    const fh = new Map<string, [number, string][]>();
    let lineNo = 0;
    for (let line of data.toString('utf8').split('\n')) {
      lineNo++;
      line = line.trim();
      if (line === '' || line === '[' || line === ']' || line === '][') continue;
      if (line.endsWith(',')) line = line.slice(0, -1);
      const safe = line.replace(CONTROL, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
      let o: unknown;
      try {
        o = JSON.parse(safe);
      } catch {
        out.badLines++;
        continue;
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) {
        out.badLines++;
        continue;
      }
      const obj = o as Json;
      const ph = obj.ph;
      if (ph === 'M' || ph === 4) {
        out.metadata++;
        const args = (obj.args ?? {}) as Json;
        if (obj.name === 'FH' && args.value !== undefined) {
          const h = hashText(line, 'value', args.value);
          if (!fh.has(h)) fh.set(h, []);
          fh.get(h)!.push([lineNo, String(args.name)]);
          if (!runFh.has(h)) runFh.set(h, String(args.name));
        }
      } else if (ph === 'C' || ph === 'A' || ph === 2 || ph === 3) out.counters++;
      else if (ph === undefined || ph === 'X' || ph === 1) {
        out.events++;
        objs.push([obj, lineNo, line]);
      }
    }
    parsed.push(objs);
    fileFh.push(fh);
  }
  parsed.forEach((objs, i) => {
    for (const [e, lineNo, text] of objs) {
      const cat = String(e.cat ?? '');
      if (cat !== 'POSIX' && cat !== 'STDIO') continue;
      const args = (e.args ?? {}) as Json;
      let file = '';
      if (args.fname !== undefined) file = String(args.fname);
      else if (args.fhash !== undefined) {
        // by position: the declaration last before the event in its file, else the file's first later one, else
        // the run's first (files in the order given)
        const h = hashText(text, 'fhash', args.fhash);
        const decls = fileFh[i].get(h);
        if (decls) {
          const before = decls.filter(([l]) => l < lineNo);
          file = (before.length ? before[before.length - 1] : decls[0])[1];
        } else file = runFh.get(h) ?? `fhash:${h}`;
      }
      const op = String(e.name ?? '');
      const ret = num(args.ret);
      const size = num(args.size);
      let bytes = 0;
      if (ret > 0 && RET_OPS.has(op)) bytes = ret;
      else if (ret > 0 && (op === 'fread' || op === 'fwrite')) bytes = size > 0 ? ret * size : 0;
      const dur = num(e.dur);
      const key = `${file}\u0000${cat}\u0000${op}`;
      const row = out.ops.get(key) ?? { count: 0, bytes: 0, durUs: 0 };
      row.count++;
      row.bytes += bytes;
      row.durUs += dur > 0 ? dur : 0;
      out.ops.set(key, row);
      if (WRITE_OPS.has(op)) {
        out.writes.push({
          file,
          op,
          durUs: dur > 0 ? dur : 0,
          bytes,
          ts: num(e.ts),
          pid: num(e.pid),
          tid: num(e.tid),
          traceFile: paths[i],
          line: lineNo,
        });
      }
    }
  });
  const order = new Map(paths.map((p, i) => [p, i]));
  out.writes.sort(
    (a, b) => b.durUs - a.durUs || order.get(a.traceFile)! - order.get(b.traceFile)! || a.line - b.line,
  );
  return out;
}

/** A hash as the text of its token: JSON.parse rounds integers above 2^53, so a bare number is read from the line. */
function hashText(line: string, key: string, value: unknown): string {
  if (typeof value !== 'number') return String(value);
  return new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(line)?.[1] ?? String(value);
}
