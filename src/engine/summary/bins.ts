/**
 * Timeline bins travel as flat `[bin, bytes, calls, ...]` lists sorted by bin. Merging two lists is one linear pass
 * with no object per bin (and often no new list: see addInPlace, which writes into `a`, so `a` must be the caller's
 * own): a run's timeline has hundreds of thousands of bins, and a Map of small arrays per merge
 * step was most of the time the main thread spent after the workers had finished.
 */
export function mergeBins(a: number[], b: number[]): number[] {
  if (a.length === 0) return inOrder(b);
  if (b.length === 0) return a;
  b = inOrder(b);
  if (addInPlace(a, b)) return a;
  // sized for the worst case before it is filled, and cut to length after: a list grown by push leaves a trail of
  // discarded copies behind, and counting first would be a second pass
  const out = new Array<number>(a.length + b.length);
  let k = 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {
      out[k++] = a[i];
      out[k++] = a[i + 1];
      out[k++] = a[i + 2];
      i += 3;
    } else if (i >= a.length || b[j] < a[i]) {
      out[k++] = b[j];
      out[k++] = b[j + 1];
      out[k++] = b[j + 2];
      j += 3;
    } else {
      out[k++] = a[i];
      out[k++] = a[i + 1] + b[j + 1];
      out[k++] = a[i + 2] + b[j + 2];
      i += 3;
      j += 3;
    }
  }
  out.length = k;
  return out;
}

/**
 * Adds b into a when every bin of b is already in a (files of one run mostly share their time range), with no new
 * list at all; false, with a untouched, otherwise.
 */
function addInPlace(a: number[], b: number[]): boolean {
  if (b.length > a.length) return false;
  let i = 0;
  for (let j = 0; j < b.length; j += 3) {
    while (i < a.length && a[i] < b[j]) i += 3;
    if (i >= a.length || a[i] !== b[j]) return false;
  }
  i = 0;
  for (let j = 0; j < b.length; j += 3) {
    while (a[i] < b[j]) i += 3;
    a[i + 1] += b[j + 1];
    a[i + 2] += b[j + 2];
  }
  return true;
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
