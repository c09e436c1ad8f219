/**
 * Timeline bins travel as flat `[bin, bytes, calls, ...]` lists sorted by bin. Merging two lists is one linear pass
 * with no object per bin: a run's timeline has hundreds of thousands of bins, and a Map of small arrays per merge
 * step was most of the time the main thread spent after the workers had finished.
 */
export function mergeBins(a: number[], b: number[]): number[] {
  if (a.length === 0) return inOrder(b);
  if (b.length === 0) return a;
  b = inOrder(b);
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === y) {
      out.push(x, a[i + 1] + b[j + 1], a[i + 2] + b[j + 2]);
      i += 3;
      j += 3;
    } else if (x < y) {
      out.push(x, a[i + 1], a[i + 2]);
      i += 3;
    } else {
      out.push(y, b[j + 1], b[j + 2]);
      j += 3;
    }
  }
  for (; i < a.length; i += 3) out.push(a[i], a[i + 1], a[i + 2]);
  for (; j < b.length; j += 3) out.push(b[j], b[j + 1], b[j + 2]);
  return out;
}

/** The list itself when sorted by bin without repeats (as the engine makes them), else a sorted, summed copy. */
function inOrder(flat: number[]): number[] {
  let sorted = true;
  for (let i = 3; i < flat.length && sorted; i += 3) sorted = flat[i - 3] < flat[i];
  if (sorted) return flat;
  const cells = new Map<number, [number, number]>();
  for (let i = 0; i < flat.length; i += 3) {
    const cell = cells.get(flat[i]);
    if (cell) {
      cell[0] += flat[i + 1];
      cell[1] += flat[i + 2];
    } else cells.set(flat[i], [flat[i + 1], flat[i + 2]]);
  }
  const out: number[] = [];
  for (const bin of [...cells.keys()].sort((x, y) => x - y)) out.push(bin, ...cells.get(bin)!);
  return out;
}
