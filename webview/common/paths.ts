/**
 * A long path cut in its middle, keeping the start (the mount point: which file system) and the end (the file
 * name): `/usr/lib/x86_64-linux-gnu/openmpi/lib/libmca_common_ucx.so.40` stays recognisable, and rows that differ
 * only at their end stay different.
 */
export function middleEllipsis(path: string, max = 60): string {
  if (path.length <= max) return path;
  const keepEnd = Math.ceil((max - 1) * 0.6);
  const keepStart = max - 1 - keepEnd;
  return `${path.slice(0, keepStart)}…${path.slice(path.length - keepEnd)}`;
}
