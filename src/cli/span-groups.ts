/**
 * Trace files of one run overlap in time: every process of a job runs while the others do. A folder tree that holds
 * several runs (`dftrace summarize traces/`) makes groups of files whose time spans never meet; the CLI warns,
 * because the totals of such a "run" (its time span above all) mean nothing.
 */
export interface TimedFile {
  path: string;
  tsMin: number;
  tsMax: number;
}

export interface SpanGroup {
  files: string[];
  tsMin: number;
  tsMax: number;
}

/** Files with events, grouped so that spans overlap (or touch) within a group and never across groups. */
export function disjointSpanGroups(files: readonly TimedFile[]): SpanGroup[] {
  const timed = files
    .filter((f) => Number.isFinite(f.tsMin) && Number.isFinite(f.tsMax))
    .sort((a, b) => a.tsMin - b.tsMin);
  const groups: SpanGroup[] = [];
  for (const f of timed) {
    const last = groups[groups.length - 1];
    if (last && f.tsMin <= last.tsMax) {
      last.files.push(f.path);
      if (f.tsMax > last.tsMax) last.tsMax = f.tsMax;
    } else groups.push({ files: [f.path], tsMin: f.tsMin, tsMax: f.tsMax });
  }
  return groups;
}

/** The deepest folder that holds all of these paths ('/' at worst). */
export function commonFolder(paths: readonly string[]): string {
  const split = paths.map((p) => p.split('/').slice(0, -1));
  const first = split[0] ?? [];
  let n = first.length;
  for (const parts of split) {
    let i = 0;
    while (i < n && parts[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join('/') || '/';
}
