// Traces whose hashes collide, written line by line so a test knows where every declaration and event is.
// FORMAT.md: 16-bit hashes (Sep 2024) collide even inside one file, and the writer then declares `FH` again for
// the second path with the same value; v1.0.8 wrote 64-bit integers above 2^53, v1.0.9 on 16-hex strings.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { rng } from '../../src/synth/random';

/** How a hash token is written: a bare integer (`"fhash":4242`), or a string (`"fhash":"00ab..."`). */
export type HashStyle = 'bare' | 'quoted';

export class CollidingTrace {
  readonly lines: string[] = [];
  private id = 1;

  constructor(
    readonly pid = 1,
    readonly style: HashStyle = 'bare',
  ) {}

  private tok(hash: string): string {
    return this.style === 'bare' ? hash : `"${hash}"`;
  }

  /** `FH` (files), `HH` (hosts) or `SH` (strings) declaring `hash` for `name`; returns the line number. */
  declare(kind: 'FH' | 'HH' | 'SH', name: string, hash: string): number {
    this.lines.push(
      `{"id":${this.id++},"name":"${kind}","cat":"dftracer","pid":${this.pid},"tid":${this.pid},"ph":"M","args":{"name":"${name}","value":${this.tok(hash)}}}`,
    );
    return this.lines.length;
  }

  /** A POSIX call naming its file by `hash` (and its host by `hhash`); returns the line number. */
  call(op: string, hash: string, ts: number, dur: number, ret = 0, hhash?: string, pid = this.pid): number {
    const host = hhash === undefined ? '' : `"hhash":${this.tok(hhash)},`;
    this.lines.push(
      `{"id":${this.id++},"name":"${op}","cat":"POSIX","pid":${pid},"tid":${pid},"ts":${ts},"dur":${dur},"ph":"X","args":{${host}"fhash":${this.tok(hash)},"ret":${ret}}}`,
    );
    return this.lines.length;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }

  /**
   * Writes the trace: plain text, or gzip in members of about `memberBytes` of text, cut at line ends (as the
   * tracer does) or, with `midLine`, inside lines.
   */
  writeTo(path: string, memberBytes?: number, midLine = false): string {
    const text = Buffer.from(this.text());
    if (memberBytes === undefined) fs.writeFileSync(path, text);
    else {
      const members: Buffer[] = [];
      let start = 0;
      while (start < text.length) {
        let end = Math.min(text.length, start + memberBytes);
        if (!midLine) {
          const nl = text.indexOf(10, end - 1);
          end = nl < 0 ? text.length : nl + 1;
        }
        members.push(zlib.gzipSync(text.subarray(start, end)));
        start = end;
      }
      fs.writeFileSync(path, Buffer.concat(members));
    }
    return path;
  }
}

export interface RandomCollisionsOptions {
  seed: number;
  lines: number;
  /** The colliding hash tokens, and the paths they are declared for in turn. */
  hashes: string[];
  paths: string[];
  /** Chance that a line redeclares a hash. */
  redeclare?: number;
  style?: HashStyle;
  pid?: number;
}

/**
 * A long trace in which a few hashes are declared again and again for different paths, with events between
 * (some before any declaration of their hash): every block or member of a split scan starts with hashes whose
 * declaration lies in another block.
 */
export function randomCollisions(o: RandomCollisionsOptions): CollidingTrace {
  const rand = rng(o.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const t = new CollidingTrace(o.pid ?? 7, o.style ?? 'bare');
  const ops = ['write', 'write', 'pwrite64', 'read', 'open64', 'fwrite'];
  let ts = 1_700_000_000_000_000;
  while (t.lines.length < o.lines) {
    // the first hundred lines are events only: their hashes are declared later
    if (t.lines.length > 100 && rand() < (o.redeclare ?? 0.02))
      t.declare('FH', pick(o.paths), pick(o.hashes));
    else {
      const op = pick(ops);
      ts += 1 + Math.floor(rand() * 50);
      const dur = Math.floor(rand() * rand() * 100_000);
      const ret = op === 'open64' ? 3 : 1 + Math.floor(rand() * 65536);
      t.call(op, pick(o.hashes), ts, dur, ret);
    }
  }
  return t;
}
