/**
 * The shortest path suffix that tells each file apart from the others of the same run: `properties` when only one
 * file has that name, `0/properties` or `ckpt/0/properties` when several do. Pure module (host and webviews).
 */
export function shortestUniqueSuffixes(files: readonly string[]): Map<string, string> {
  const parts = new Map<string, string[]>();
  for (const f of new Set(files)) parts.set(f, f.split('/').filter(Boolean));
  const out = new Map<string, string>();
  let pending = [...parts.keys()];
  for (let depth = 1; pending.length > 0; depth++) {
    const suffix = (f: string) => parts.get(f)!.slice(-depth).join('/');
    const counts = new Map<string, number>();
    for (const f of pending) counts.set(suffix(f), (counts.get(suffix(f)) ?? 0) + 1);
    // files settled at a shallower depth have a unique last part there, so no deeper suffix can equal theirs
    const next: string[] = [];
    for (const f of pending) {
      const p = parts.get(f)!;
      if (counts.get(suffix(f)) === 1 || depth >= p.length) out.set(f, depth >= p.length ? f : suffix(f));
      else next.push(f);
    }
    pending = next;
  }
  return out;
}
