import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';

/** Bumped whenever what the engine extracts changes, so stale cache entries are never read. */
export const ENGINE_CACHE_VERSION = 4;

/**
 * A cache of engine results in a directory the caller chooses (never beside the traces), keyed by the trace's
 * path, size and mtime plus what was asked. v8 serialization keeps NaN, typed arrays and Maps intact and is fast.
 */
export class ResultCache {
  constructor(readonly dir: string) {}

  async key(path: string, what: unknown): Promise<string | undefined> {
    try {
      const st = await stat(path);
      const h = createHash('sha256');
      h.update(JSON.stringify([ENGINE_CACHE_VERSION, path, st.size, st.mtimeMs, what]));
      return h.digest('hex').slice(0, 40);
    } catch {
      return undefined;
    }
  }

  async get<T>(key: string | undefined): Promise<T | undefined> {
    if (!key) return undefined;
    try {
      return deserialize(await readFile(join(this.dir, key.slice(0, 2), key))) as T;
    } catch {
      return undefined;
    }
  }

  async put(key: string | undefined, value: unknown): Promise<void> {
    if (!key) return;
    try {
      const dir = join(this.dir, key.slice(0, 2));
      await mkdir(dir, { recursive: true });
      // write then rename: a reader never sees half an entry
      const tmp = join(dir, `${key}.${process.pid}.tmp`);
      await writeFile(tmp, serialize(value));
      await rename(tmp, join(dir, key));
    } catch {
      // a cache that cannot be written only costs speed
    }
  }
}
