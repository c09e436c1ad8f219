/** A distribution with nearest-rank percentiles and log-spaced bins (durations and sizes span decades). */
export interface Histogram {
  count: number;
  min: number;
  max: number;
  mean: number;
  sum: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  /** Bins [lo, hi): powers of two, from the smallest value's to past the largest; zeros get a bin [0, 0] of their own. */
  bins: { lo: number; hi: number; count: number }[];
}

/** The nearest-rank percentile of sorted values: the smallest value with at least p% of the values at or below it. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1];
}

export function histogram(values: ArrayLike<number>): Histogram {
  const v = Float64Array.from(values).sort();
  const n = v.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i];
  const bins: Histogram['bins'] = [];
  if (n > 0) {
    let i = 0;
    let zeros = 0;
    while (i < n && v[i] <= 0) {
      zeros++;
      i++;
    }
    if (zeros > 0) bins.push({ lo: 0, hi: 0, count: zeros });
    if (i < n) {
      let lo = 2 ** Math.floor(Math.log2(v[i]));
      while (i < n) {
        const hi = lo * 2;
        let c = 0;
        while (i < n && v[i] < hi) {
          c++;
          i++;
        }
        bins.push({ lo, hi, count: c });
        lo = hi;
      }
    }
  }
  return {
    count: n,
    min: n ? v[0] : NaN,
    max: n ? v[n - 1] : NaN,
    mean: n ? sum / n : NaN,
    sum,
    p50: nearestRank(v, 50),
    p90: nearestRank(v, 90),
    p95: nearestRank(v, 95),
    p99: nearestRank(v, 99),
    bins,
  };
}
