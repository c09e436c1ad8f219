/** Plain-text tables for the CLI; number formats are the engine's, shared with the extension. */
import { fmtCount } from '../engine/format';
export { fmtBytes, fmtUs, fmtCount as fmtInt } from '../engine/format';

/** A table with a header row; columns whose name starts with '>' are right-aligned. */
export function table(columns: string[], rows: string[][]): string {
  const right = columns.map((c) => c.startsWith('>'));
  const names = columns.map((c) => c.replace(/^>/, ''));
  const width = names.map((n, i) => Math.max(n.length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const pad = (s: string, i: number) => {
    const gap = ' '.repeat(width[i] - [...s].length);
    return right[i] ? gap + s : s + gap;
  };
  const line = (r: string[]) => r.map(pad).join('  ').trimEnd();
  return [line(names), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** What the table below shows, in words: "5 slowest of 856 write events on /p/x", never a count of something else. */
export function eventsHeader(h: {
  file: string;
  op?: string;
  total: number;
  shown: number;
  slowest?: number;
}): string {
  const what = `${fmtCount(h.total)} ${h.op ? `${h.op} ` : ''}event${h.total === 1 ? '' : 's'} on ${h.file}`;
  if (h.total === 0) return `no ${h.op ? `${h.op} ` : ''}events on ${h.file}`;
  if (h.slowest !== undefined) return `${fmtCount(h.shown)} slowest of ${what}`;
  if (h.shown < h.total) return `first ${fmtCount(h.shown)} of ${what} in time order (--limit N for more)`;
  return `${what}, in time order`;
}
