import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const TRACE_FILE_RE = /\.pfw(\.gz)?$/i;

export interface Discovery {
  files: string[];
  /** Paths given that do not exist or hold no trace file. */
  problems: string[];
}

/**
 * The trace files named by the given paths: a file as it is, a folder as every `*.pfw` / `*.pfw.gz` below it
 * (hidden ones too: 2023 DLIO named them `.trace-*`). Sorted with numbers in natural order so rank 2 precedes 10.
 */
export async function findTraceFiles(paths: string[]): Promise<Discovery> {
  const found = new Set<string>();
  const problems: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      problems.push(`${p}: no such file or folder`);
      continue;
    }
    if (st.isDirectory()) {
      const before = found.size;
      await walk(abs, found);
      if (found.size === before) problems.push(`${p}: no .pfw or .pfw.gz files in this folder`);
    } else found.add(abs);
  }
  return { files: [...found].sort(naturalCompare), problems };
}

async function walk(dir: string, out: Set<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git') await walk(full, out);
    } else if ((e.isFile() || e.isSymbolicLink()) && TRACE_FILE_RE.test(e.name)) out.add(full);
  }
}

// made on first use: building a collator costs milliseconds, and a run of one file never compares names
let collator: Intl.Collator | undefined;
export function naturalCompare(a: string, b: string): number {
  collator ??= new Intl.Collator('en', { numeric: true });
  return collator.compare(a, b);
}
