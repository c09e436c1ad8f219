/**
 * The call-tree fields of a line (`id`, `args.p_idx`, `args.level`, 2024-06 on), found in its bytes: the summary's
 * scanner does not need them, and only the timeline reads them. Values may be quoted (old writers quote numbers).
 */
export class TreeFields {
  id = NaN;
  pIdx = NaN;
  level = -1;
}

const Q = 0x22;

/** Reads `"id"`, `"p_idx"` and `"level"` keys of the line b[start, end). */
export function readTreeFields(b: Uint8Array, start: number, end: number, out: TreeFields): void {
  out.id = NaN;
  out.pIdx = NaN;
  out.level = -1;
  for (let p = start; p < end - 4; p++) {
    if (b[p] !== Q) continue;
    const c = b[p + 1];
    // "id":
    if (c === 0x69 && b[p + 2] === 0x64 && b[p + 3] === Q && b[p + 4] === 0x3a) {
      out.id = numberAt(b, p + 5, end);
      p += 4;
    } else if (c === 0x70 && matches(b, p + 1, end, P_IDX)) {
      out.pIdx = numberAt(b, p + 1 + P_IDX.length, end);
      p += P_IDX.length;
    } else if (c === 0x6c && matches(b, p + 1, end, LEVEL)) {
      const v = numberAt(b, p + 1 + LEVEL.length, end);
      out.level = Number.isFinite(v) && v >= 0 && v < 32768 ? v : -1;
      p += LEVEL.length;
    }
  }
}

const P_IDX = Buffer.from('p_idx":');
const LEVEL = Buffer.from('level":');

function matches(b: Uint8Array, p: number, end: number, key: Uint8Array): boolean {
  if (p + key.length > end) return false;
  for (let k = 0; k < key.length; k++) if (b[p + k] !== key[k]) return false;
  return true;
}

/** An integer value at p (after optional spaces and an optional quote); NaN when there is none. */
export function numberAt(b: Uint8Array, p: number, end: number): number {
  while (p < end && b[p] === 0x20) p++;
  if (p < end && b[p] === Q) p++;
  let neg = false;
  if (p < end && b[p] === 0x2d) {
    neg = true;
    p++;
  }
  let v = 0;
  let digits = 0;
  while (p < end && b[p] >= 0x30 && b[p] <= 0x39) {
    v = v * 10 + (b[p] - 0x30);
    p++;
    digits++;
  }
  if (digits === 0) return NaN;
  return neg ? -v : v;
}
