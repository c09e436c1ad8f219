/** Human-readable numbers, shared by the CLI, the tree and the webviews (pure: runs anywhere). */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(Math.abs(v) < 10 ? 2 : 1)} ${units[i]}`;
}

export function fmtUs(us: number): string {
  if (!Number.isFinite(us)) return '-';
  const a = Math.abs(us);
  if (a < 1000) return `${us.toFixed(0)} µs`;
  if (a < 1e6) return `${(us / 1000).toFixed(a < 1e4 ? 2 : 1)} ms`;
  return `${(us / 1e6).toFixed(a < 1e7 ? 3 : 2)} s`;
}

// one formatter: Number.prototype.toLocaleString builds a new one per call (half a second for a dashboard's tables)
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function fmtCount(n: number): string {
  return Number.isFinite(n) ? COUNT.format(Math.round(n)) : '-';
}
