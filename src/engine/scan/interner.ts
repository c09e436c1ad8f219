import { viewOf } from './byte-view';
import type { Span } from './line-scanner';

/**
 * Turns byte ranges into small integer ids without allocating a string per line: the same file name or op name
 * repeats millions of times, so it is hashed from the bytes, compared against the bytes seen before, and decoded
 * to a JavaScript string only the first time.
 */
export class Interner {
  readonly strings: string[] = [];
  private readonly raw: RawToken[] = [];
  private readonly byHash = new Map<number, number | number[]>();
  /** The id returned last: consecutive events very often name the same file, op and category. */
  private last = -1;
  /**
   * A direct-mapped cache of recent ids by (length, first and last byte): the handful of op names and categories
   * that alternate line after line are found with one compare, without hashing.
   */
  private readonly recent = new Int32Array(256).fill(-1);
  /**
   * Asked whenever a string is not known (its first time, or its first time since forgetAll) with the id it would
   * get: returns that id, or an id the string had before to map it to again.
   */
  onUnknown?: (s: string, next: number) => number;

  constructor(initial: string[] = []) {
    for (const s of initial) this.add(s);
  }

  get size(): number {
    return this.strings.length;
  }

  /** Id of a plain JavaScript string (for names the engine makes itself). */
  add(s: string): number {
    const bytes = Buffer.from(s, 'utf8');
    return this.internBytes(bytes, 0, bytes.length, false, s);
  }

  /** Id of a located token; -1 when the span is absent. */
  span(b: Uint8Array, span: Span): number {
    if (span.start < 0) return -1;
    return this.internBytes(b, span.start, span.end, span.escaped, undefined);
  }

  /** The id `s` has now, or -1 when it has none (nothing is added). */
  lookup(s: string): number {
    const bytes = Buffer.from(s, 'utf8');
    const h = hashBytes(bytes, 0, bytes.length);
    const hit = this.byHash.get(h);
    if (hit === undefined) return -1;
    for (const id of typeof hit === 'number' ? [hit] : hit)
      if (sameBytes(this.raw[id], bytes, 0, bytes.length)) return id;
    return -1;
  }

  /**
   * From now on `s` maps to `id` (an id `s` had before) or, when `id` < 0, to a new id; returns the id. Ids given out
   * before keep their strings: this is how a hash that a trace declares again for another path starts a new name.
   */
  rebind(s: string, id = -1): number {
    const bytes = Buffer.from(s, 'utf8');
    const h = hashBytes(bytes, 0, bytes.length);
    const hit = this.byHash.get(h);
    const ids = hit === undefined ? [] : typeof hit === 'number' ? [hit] : hit;
    const kept = ids.filter((old) => !sameBytes(this.raw[old], bytes, 0, bytes.length));
    if (id < 0) {
      id = this.strings.length;
      this.raw.push(new RawToken(Buffer.from(bytes)));
      this.strings.push(s);
    }
    kept.push(id);
    this.byHash.set(h, kept.length === 1 ? kept[0] : kept);
    this.forgetRecent();
    return id;
  }

  /** Every string gets a new id the next time it is seen; ids given out before keep their strings. */
  forgetAll(): void {
    this.byHash.clear();
    this.forgetRecent();
  }

  private forgetRecent(): void {
    this.last = -1;
    this.recent.fill(-1);
  }

  private internBytes(
    b: Uint8Array,
    s: number,
    e: number,
    escaped: boolean,
    decoded: string | undefined,
  ): number {
    if (this.last >= 0 && sameBytes(this.raw[this.last], b, s, e)) return this.last;
    const slot = e > s ? ((e - s) * 31 + b[s] * 7 + b[e - 1]) & 255 : 0;
    const cached = this.recent[slot];
    if (cached >= 0 && sameBytes(this.raw[cached], b, s, e)) return (this.last = cached);
    const h = hashBytes(b, s, e);
    const hit = this.byHash.get(h);
    if (hit !== undefined) {
      if (typeof hit === 'number') {
        if (sameBytes(this.raw[hit], b, s, e)) return (this.recent[slot] = this.last = hit);
      } else {
        for (const id of hit)
          if (sameBytes(this.raw[id], b, s, e)) return (this.recent[slot] = this.last = id);
      }
    }
    let id = this.strings.length;
    if (this.onUnknown) {
      decoded ??= decodeJsonString(b.subarray(s, e), escaped);
      id = this.onUnknown(decoded, id);
    }
    if (id === this.strings.length) {
      const copy = Buffer.from(b.subarray(s, e));
      this.raw.push(new RawToken(copy));
      this.strings.push(decoded ?? decodeJsonString(copy, escaped));
    }
    if (hit === undefined) this.byHash.set(h, id);
    else if (typeof hit === 'number') this.byHash.set(h, [hit, id]);
    else hit.push(id);
    return (this.recent[slot] = this.last = id);
  }
}

/** Paths share long prefixes and differ near the end: hashes the length, the last 24 and the first 8 bytes. */
function hashBytes(b: Uint8Array, s: number, e: number): number {
  let h = Math.imul(0x811c9dc5 ^ (e - s), 0x01000193);
  for (let i = Math.max(s, e - 24); i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
  for (let i = s, stop = Math.min(s + 8, e - 24); i < stop; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/** The bytes of a token seen before, also as little-endian int32 words to compare four bytes at a time. */
class RawToken {
  readonly length: number;
  readonly words: Int32Array;
  constructor(readonly bytes: Buffer) {
    this.length = bytes.length;
    this.words = new Int32Array(bytes.length >> 2);
    for (let k = 0; k < this.words.length; k++) this.words[k] = bytes.readInt32LE(k * 4);
  }
}

/** Compared from the end, where paths that share a directory differ. */
function sameBytes(a: RawToken, b: Uint8Array, s: number, e: number): boolean {
  const n = a.length;
  if (n !== e - s) return false;
  const bytes = a.bytes;
  for (let i = n - 1; i >= n - (n & 3); i--) if (bytes[i] !== b[s + i]) return false;
  const words = a.words;
  const dv = viewOf(b);
  for (let k = words.length - 1; k >= 0; k--) if (dv.getInt32(s + k * 4, true) !== words[k]) return false;
  return true;
}

/** The text of a JSON string body; escapes resolved, raw control characters kept as they are. */
export function decodeJsonString(bytes: Uint8Array, escaped: boolean): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (!escaped) return text;
  const safe = escapeControlChars(text);
  try {
    return JSON.parse('"' + safe + '"') as string;
  } catch {
    return text;
  }
}

const CONTROL_CHARS = new RegExp('[\\u0000-\\u001f]', 'g');

/** Raw control characters as `\\uXXXX` escapes: legal JSON to parse, and visible in an excerpt. */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
