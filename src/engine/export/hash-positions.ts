/**
 * FORMAT.md's rule for which path (or host) a hash names at one event: the declaration in force at the event's line
 * in the same trace file (16-bit hashes collide, and the writer then declares the same value again for the second
 * path); an event before any declaration of its hash in its file takes that file's first (later) declaration; only
 * then the run's (the first declaration in the run's file order).
 *
 * The declarations in force are tracked as the lines go by. The "later" and "run" tables can only be known once
 * the file (and the run) has been read: a reader without them reports that it met a hash not yet declared, and the
 * caller reads that file again with the tables (rare: the tracer declares a hash just before its first use).
 */
export class PositionalHashes {
  private readonly inForce = new Map<string, string>();
  private readonly first = new Map<string, string>();
  /** A hash was used before its declaration (in this file) and the later tables were not given. */
  needsLaterTables = false;

  constructor(
    /** This file's first declaration of each hash. */
    private readonly fileFirst?: ReadonlyMap<string, string>,
    /** The run's first declaration of each hash, in file order. */
    private readonly runFirst?: ReadonlyMap<string, string>,
  ) {}

  /** A declaration (`FH`/`HH` metadata) met at the current line: it names the hash from here on. */
  declare(hash: string, text: string): void {
    this.inForce.set(hash, text);
    if (!this.first.has(hash)) this.first.set(hash, text);
  }

  /** This file's first declaration of each hash, as met so far. */
  firstDeclarations(): [string, string][] {
    return [...this.first];
  }

  /** The name the hash has at the current line, or undefined when no file of the run declares it. */
  resolve(hash: string): string | undefined {
    const now = this.inForce.get(hash);
    if (now !== undefined) return now;
    if (!this.fileFirst) {
      this.needsLaterTables = true;
      return undefined;
    }
    return this.fileFirst.get(hash) ?? this.runFirst?.get(hash);
  }
}

/** Each hash's first declaration over the files in run order (`tables[i]` is file i's [hash, text] list). */
export function runFirstDeclarations(tables: readonly (readonly [string, string][])[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tables) for (const [h, text] of t) if (!out.has(h)) out.set(h, text);
  return out;
}
