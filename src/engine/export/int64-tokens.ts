/**
 * Reading 64-bit integers from a trace line's own text. The scanner keeps numbers as doubles, which are exact only up
 * to 2^53; ids, offsets and sizes above that must keep every digit, so the export reads them again from their
 * token. It also reads `level` and `p_idx` (the call tree), which the summary never needs.
 */
import type { Int64 } from './event-rows';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * The value of the first `"key":` in a line the scanner accepted (so its strings are well formed), at any depth:
 * [start, end) of the token, without its quotes when quoted. Keys inside strings cannot match: a quote inside a JSON
 * string is always escaped.
 */
export function keyToken(
  b: Uint8Array,
  start: number,
  end: number,
  key: Uint8Array,
): [number, number] | undefined {
  const out = new Int32Array(4).fill(-1);
  keyTokens(b, start, end, key, key, out);
  return out[0] < 0 ? undefined : [out[0], out[1]];
}

/**
 * Both keys' tokens in one pass over the line: out[0..1] for `k1`, out[2..3] for `k2`, -1 when absent. `level` and
 * `p_idx` are read from every exported line, so one walk instead of two.
 */
export function keyTokens(
  b: Uint8Array,
  start: number,
  end: number,
  k1: Uint8Array,
  k2: Uint8Array,
  out: Int32Array,
): void {
  out[0] = out[1] = out[2] = out[3] = -1;
  let p = start;
  while (p < end) {
    if (b[p] !== QUOTE) {
      p++;
      continue;
    }
    const s = p + 1;
    let q = s;
    while (q < end && b[q] !== QUOTE) q += b[q] === BACKSLASH ? 2 : 1;
    let r = q + 1;
    while (r < end && isWs(b[r])) r++;
    const n = q - s;
    if (r < end && b[r] === COLON) {
      const slot =
        out[0] < 0 && n === k1.length && same(b, s, k1)
          ? 0
          : out[2] < 0 && n === k2.length && same(b, s, k2)
            ? 2
            : -1;
      r++;
      while (r < end && isWs(b[r])) r++;
      if (slot >= 0) {
        let e: number;
        if (b[r] === QUOTE) {
          e = ++r;
          while (e < end && b[e] !== QUOTE) e += b[e] === BACKSLASH ? 2 : 1;
        } else {
          e = r;
          while (e < end && b[e] !== 0x2c && b[e] !== 0x7d && b[e] !== 0x5d && !isWs(b[e])) e++;
        }
        out[slot] = r;
        out[slot + 1] = e;
        if (out[0] >= 0 && out[2] >= 0) return;
        p = b[e] === QUOTE ? e + 1 : e; // past a quoted value's closing quote
        continue;
      }
      p = r;
      continue;
    }
    p = q + 1;
  }
}

function same(b: Uint8Array, s: number, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (b[s + i] !== key[i]) return false;
  return true;
}

/**
 * A token as a 64-bit integer: a number while it is a safe integer, a bigint beyond (within int64), the nearest
 * integer for a fraction, null when it is not a number (`null`, text) or does not fit in int64.
 */
export function int64Token(b: Uint8Array, s: number, e: number): Int64 {
  let p = s;
  const neg = b[p] === 0x2d;
  if (neg) p++;
  const digits = e - p;
  if (digits > 0 && digits <= 15) {
    let v = 0;
    for (; p < e; p++) {
      const c = b[p] - 0x30;
      if (c < 0 || c > 9) return fraction(b, s, e);
      v = v * 10 + c;
    }
    return neg ? -v : v;
  }
  if (digits <= 0) return null;
  for (let i = p; i < e; i++) if (b[i] < 0x30 || b[i] > 0x39) return fraction(b, s, e);
  const big = BigInt(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1'));
  if (big > 0x7fffffffffffffffn || big < -0x8000000000000000n) return null;
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function fraction(b: Uint8Array, s: number, e: number): Int64 {
  const v = Number(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1'));
  return Number.isFinite(v) && Math.abs(v) < 2 ** 53 ? Math.round(v) : null;
}
