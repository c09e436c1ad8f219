/**
 * Timeline bins travel as flat `[bin, bytes, calls, ...]` Float64Arrays sorted by bin: a file's timeline has
 * hundreds of thousands of numbers, and as typed arrays they cross from a worker as one copy (or a transfer) and
 * cost the garbage collector nothing, where arrays of numbers were a large share of the main thread's time after
 * the workers had finished. Merging two lists is one linear pass with no object per bin (and often no new list:
 * see addInPlace, which writes into `a`, so `a` must be the caller's own).
 */
export function mergeBins(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0) return inOrder(b);
  if (b.length === 0) return a;
  b = inOrder(b);
  if (addInPlace(a, b)) return a;
  const out = new Float64Array(a.length + b.length);
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
  // a copy of the used part: a view would keep the unused tail alive (and drag it along when posted)
  return k === out.length ? out : out.slice(0, k);
}

/**
 * Adds b into a when every bin of b is already in a (files of one run mostly share their time range), with no new
 * list at all; false, with a untouched, otherwise.
 */
function addInPlace(a: Float64Array, b: Float64Array): boolean {
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
export function inOrder(flat: Float64Array): Float64Array {
  let sorted = true;
  for (let i = 3; i < flat.length && sorted; i += 3) sorted = flat[i - 3] < flat[i];
  if (sorted) return flat;
  const order: number[] = [];
  for (let i = 0; i < flat.length; i += 3) order.push(i);
  order.sort((x, y) => flat[x] - flat[y]);
  const out = new Float64Array(flat.length);
  let k = 0;
  for (const i of order) {
    if (k > 0 && out[k - 3] === flat[i]) {
      out[k - 2] += flat[i + 1];
      out[k - 1] += flat[i + 2];
    } else {
      out[k++] = flat[i];
      out[k++] = flat[i + 1];
      out[k++] = flat[i + 2];
    }
  }
  return k === out.length ? out : out.slice(0, k);
}

/** The empty list (never written: mergeBins only adds into a list that has bins). */
export const NO_BINS = new Float64Array(0);

/** The key of a timeline series: its kind and file name, joined by a NUL. */
export function seriesKey(kind: 'read' | 'write', file: string): string {
  return `${kind}\u0000${file}`;
}

/**
 * The kind and file name of a series key. The name may itself hold a NUL (the prefix of a hash not yet resolved),
 * so a key is split at its first one only.
 */
export function splitSeriesKey(key: string): ['read' | 'write', string] {
  const i = key.indexOf('\u0000');
  return [key.slice(0, i) as 'read' | 'write', key.slice(i + 1)];
}
