// Time <-> pixel mapping, zoom and pan limits, and tick marks for the ruler (pure: tested without a browser).

export interface ViewRange {
  t0: number;
  t1: number;
}

/** Zooms by `factor` (< 1 zooms in) around time `at`, kept inside [lo, hi] and no narrower than `minSpan`. */
export function zoom(
  v: ViewRange,
  factor: number,
  at: number,
  lo: number,
  hi: number,
  minSpan = 1,
): ViewRange {
  const span = Math.max(minSpan, Math.min(hi - lo, (v.t1 - v.t0) * factor));
  const frac = v.t1 > v.t0 ? (at - v.t0) / (v.t1 - v.t0) : 0.5;
  return clampRange({ t0: at - frac * span, t1: at - frac * span + span }, lo, hi);
}

export function pan(v: ViewRange, dt: number, lo: number, hi: number): ViewRange {
  return clampRange({ t0: v.t0 + dt, t1: v.t1 + dt }, lo, hi);
}

export function clampRange(v: ViewRange, lo: number, hi: number): ViewRange {
  const span = Math.min(v.t1 - v.t0, hi - lo);
  let t0 = Math.max(lo, v.t0);
  if (t0 + span > hi) t0 = hi - span;
  return { t0, t1: t0 + span };
}

/** Tick positions (relative µs from `origin`) at a round step giving about `target` ticks over the range. */
export function ticks(v: ViewRange, origin: number, target: number): { at: number; label: string }[] {
  const span = v.t1 - v.t0;
  if (!(span > 0)) return [];
  const raw = span / Math.max(1, target);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: { at: number; label: string }[] = [];
  const first = Math.ceil((v.t0 - origin) / step) * step;
  for (let rel = first; origin + rel <= v.t1; rel += step)
    out.push({ at: origin + rel, label: fmtRel(rel, step) });
  return out;
}

/** A relative time in the unit that suits the step (µs, ms or s). */
export function fmtRel(us: number, step: number): string {
  if (step >= 1e6) return `${(us / 1e6).toFixed(Math.max(0, -Math.floor(Math.log10(step / 1e6))))} s`;
  if (step >= 1e3) return `${(us / 1e3).toFixed(Math.max(0, -Math.floor(Math.log10(step / 1e3))))} ms`;
  return `${us.toFixed(0)} µs`;
}

export function fmtDur(us: number): string {
  if (!Number.isFinite(us)) return '–';
  if (us >= 1e6) return `${(us / 1e6).toFixed(us >= 1e8 ? 0 : 3)} s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(us >= 1e5 ? 1 : 2)} ms`;
  return `${us.toFixed(us < 10 ? 1 : 0)} µs`;
}

export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${b.toFixed(i === 0 ? 0 : b >= 100 ? 0 : 1)} ${units[i]}`;
}
