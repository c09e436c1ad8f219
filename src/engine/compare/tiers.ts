// Storage tiers by path, shared by the comparison, the CLI and the extension's views. No `vscode` here.

export interface StorageTier {
  /** A path prefix, or a glob (`*` within a path component, `**` across components, `?` one character). */
  pattern: string;
  label: string;
}

/** The label of files no tier matches. */
export const OTHER_TIER = 'other';

/**
 * The one default table: the CLI uses it unless `--tiers` is given, and the extension's `dftrace.storageTiers`
 * setting defaults to exactly this (package.json must agree; test/engine/tiers-default.test.ts checks it).
 * LLNL's node-local SSD and SCR cache directories, LLNL's Lustre and GPFS, ALCF's Lustre (Polaris `/lus/...`) and
 * Eagle, shared memory and local /tmp (FORMAT.md's SCR section and the traces' paths).
 */
export const DEFAULT_TIERS: readonly StorageTier[] = [
  { pattern: '/l/ssd', label: 'SSD' },
  { pattern: '*/scr.defjobid/*', label: 'SSD' },
  { pattern: '/p/lustre*', label: 'PFS' },
  { pattern: '/p/gpfs*', label: 'PFS' },
  { pattern: '/lus/*', label: 'PFS' },
  { pattern: '/eagle/*', label: 'PFS' },
  { pattern: '/dev/shm', label: 'tmpfs' },
  { pattern: '/tmp', label: 'local tmp' },
];

/**
 * Both forms match a *prefix* of the path, so `/p/lustre` and `/p/lustre*` both take `/p/lustre5/u/x.pt`: a tier
 * names where files live, not a whole file name. A pattern that starts with `/` is anchored at the start of the
 * path; any other may start at any path component (`scr.dataset.*` takes `/l/ssd/u/scr.dataset.3/x`).
 */
export function compileTierPattern(pattern: string): RegExp {
  let body = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        body += '.*';
        i++;
      } else body += '[^/]*';
    } else if (ch === '?') body += '[^/]';
    else body += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp((pattern.startsWith('/') ? '^' : '(?:^|/)') + body);
}

// settings are re-read often and hold a handful of patterns: compile each once
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 256;

function matcher(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    re = compileTierPattern(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

/** The label of the first tier whose pattern matches `path`, else `other`. */
export function tierOf(path: string, tiers: readonly StorageTier[]): string {
  for (const t of tiers) {
    if (!t.pattern) continue;
    const plain = !/[*?]/.test(t.pattern);
    if (plain && t.pattern.startsWith('/') ? path.startsWith(t.pattern) : matcher(t.pattern).test(path))
      return t.label;
  }
  return OTHER_TIER;
}

/** A memoising tierOf for many calls with the same tiers (a run names the same file many times). */
export function tierMatcher(tiers: readonly StorageTier[]): (path: string) => string {
  const memo = new Map<string, string>();
  return (path) => {
    let label = memo.get(path);
    if (label === undefined) {
      label = tierOf(path, tiers);
      memo.set(path, label);
    }
    return label;
  };
}
