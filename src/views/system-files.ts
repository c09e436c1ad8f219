/**
 * Files the runtime touches, not the application: an LD_PRELOAD run's heaviest "files" are /proc/cpuinfo,
 * /sys/class/..., /dev/infiniband/... and shared libraries. Hidden by default, like Darshan's default exclusions,
 * except /dev/shm: a real storage tier (SCR's default cache). Pure module: the host and the webviews share it.
 */
export const DEFAULT_SYSTEM_PATTERNS = ['/proc/', '/sys/', '/dev/', '!/dev/shm/', '/etc/', '/usr/', '*.so*'];

export interface SystemFilter {
  /** True: system files are left out of the views (and said so). */
  hide: boolean;
  patterns: string[];
}

/**
 * Does a path match the patterns? A pattern is a path prefix (`/proc/`), or a glob on the file name when it has
 * `*` or `?` (`*.so*`); a pattern starting with `!` keeps what it matches even when another pattern matches.
 */
export function systemMatcher(patterns: readonly string[]): (file: string) => boolean {
  const compile = (p: string) => {
    if (!/[*?]/.test(p)) return (f: string) => f.startsWith(p) || f === p.replace(/\/$/, '');
    const re = new RegExp(
      '^' +
        p
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.') +
        '$',
    );
    return (f: string) => re.test(f.slice(f.lastIndexOf('/') + 1));
  };
  const keep = patterns.filter((p) => p.startsWith('!')).map((p) => compile(p.slice(1)));
  const drop = patterns.filter((p) => p && !p.startsWith('!')).map(compile);
  return (file) => !!file && drop.some((m) => m(file)) && !keep.some((m) => m(file));
}
