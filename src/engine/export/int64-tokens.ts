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
    if (r < end && b[r] === COLON && q - s === key.length && same(b, s, key)) {
      r++;
      while (r < end && isWs(b[r])) r++;
      if (b[r] === QUOTE) {
        let e = r + 1;
        while (e < end && b[e] !== QUOTE) e += b[e] === BACKSLASH ? 2 : 1;
        return [r + 1, e];
      }
      let e = r;
      while (e < end && b[e] !== 0x2c && b[e] !== 0x7d && b[e] !== 0x5d && !isWs(b[e])) e++;
      return [r, e];
    }
    p = q + 1;
  }
  return undefined;
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
