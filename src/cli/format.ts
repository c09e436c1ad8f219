/** Plain-text tables for the CLI; number formats are the engine's, shared with the extension. */
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
