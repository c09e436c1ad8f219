import type { Interner } from '../scan/interner';
import { UNRESOLVED_PREFIX, type HashDecl, type HashKind, type RedeclaredHash } from '../model/types';

/** How many redeclared hashes a file shows with both paths (all are counted). */
export const REDECLARED_EXAMPLES = 5;

/**
 * One kind of hash (FH files, HH hosts, SH strings) of one scan, resolved by position (FORMAT.md): a hash names what
 * was declared for it most recently before the event's line; events before any declaration take the first later
 * one. The events' hash tokens get their ids from `tokens`, and a declaration that changes what a hash names makes
 * the token map to another id from then on: the per-event path stays one interner lookup, as before, and each id
 * names one thing.
 *
 * While a big file is scanned in parts (blocks that workers share), what was in force when a block starts is only
 * known once every part is in: a hash used in a block before any declaration there is pending. A scan keeps one
 * pending id per hash, with the places (block, first line) it was used from, so a part has as many rows as the
 * file, and names it by `pendingName` for the merge to resolve against every part's declarations. Only when those
 * places resolve to different paths (a colliding hash used across blocks) does the file need a scan in one pass.
 */
export class HashBindings {
  /** Per token id: what it names; undefined while no declaration was in force for its events. */
  private readonly bound: (string | undefined)[] = [];
  /** Per hash: what is declared now, and the id bound to each thing it was declared for. */
  private readonly byHash = new Map<string, { now: string; ids: Map<string, number> }>();
  /** The first declaration of each hash, in file order (what other files of the run may resolve with). */
  readonly first = new Map<string, string>();
  /** Only in parts: every declaration, in scan order. */
  readonly decls: HashDecl[] = [];
  private parts = false;
  /** In parts: the block being scanned and the first line scanned in it. */
  private block = -1;
  private blockLine = 0;
  /** In parts: each hash's pending id, and the places each pending id was used from ([block, line, ...]). */
  private readonly pendingOf = new Map<string, number>();
  private readonly places = new Map<number, number[]>();

  constructor(
    private readonly kind: HashKind,
    private readonly redeclared: Redeclarations,
    private readonly tokens?: Interner,
  ) {}

  /** A block of a big file starts (its lines count from `firstLine`): what was in force before is not known here. */
  enterBlock(block: number, firstLine: number): void {
    this.block = block;
    this.blockLine = firstLine;
    const tokens = this.tokens;
    if (tokens && !this.parts) tokens.onUnknown = (hash, next) => this.pending(hash, next);
    this.parts = true;
    tokens?.forgetAll();
  }

  /** In parts: the id of a hash used before any declaration in its block (the first time in the block). */
  private pending(hash: string, next: number): number {
    let id = this.pendingOf.get(hash);
    if (id === undefined) this.pendingOf.set(hash, (id = next));
    let at = this.places.get(id);
    if (!at) this.places.set(id, (at = []));
    at.push(this.block, this.blockLine);
    return id;
  }

  declare(hash: string, text: string, block: number, line: number): void {
    if (this.parts) this.decls.push([this.kind, hash, text, block, line]);
    let st = this.byHash.get(hash);
    if (!st) {
      this.first.set(hash, text);
      this.byHash.set(hash, (st = { now: text, ids: new Map() }));
    } else if (st.now !== text) {
      if (!this.parts) this.redeclared.note(this.kind, hash, st.now, text, line);
      st.now = text;
    }
    const tokens = this.tokens;
    if (!tokens) return;
    const live = tokens.lookup(hash);
    if (live >= 0 && this.bound[live] === text) return;
    if (live >= 0 && this.bound[live] === undefined && !this.parts) {
      // events before the file's first declaration take it
      this.bound[live] = text;
      st.ids.set(text, live);
      return;
    }
    const id = tokens.rebind(hash, st.ids.get(text) ?? -1);
    this.bound[id] = text;
    st.ids.set(text, id);
  }

  /** What token id `id` names: a text, or the hash marked unresolved (with its position, in parts). */
  name(id: number): string {
    const text = this.bound[id];
    if (text !== undefined) return text;
    const hash = this.tokens!.strings[id];
    const places = this.places.get(id);
    return places ? pendingName(hash, places) : UNRESOLVED_PREFIX + hash;
  }
}

/** Hashes declared again for something else, counted once per hash, with the first few as examples. */
export class Redeclarations {
  private readonly seen = new Set<string>();
  readonly examples: RedeclaredHash[] = [];

  note(kind: HashKind, hash: string, was: string, now: string, line: number, block?: number): void {
    const key = kind + '\u0000' + hash;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.examples.length < REDECLARED_EXAMPLES) {
      const ex: RedeclaredHash = { kind, hash, first: was, then: now, line };
      if (block !== undefined && block >= 0) ex.block = block;
      this.examples.push(ex);
    }
  }

  get count(): number {
    return this.seen.size;
  }

  summary(): { count: number; examples: RedeclaredHash[] } | undefined {
    return this.count > 0 ? { count: this.count, examples: this.examples } : undefined;
  }
}

const POS_SEP = '\u0000@';

/** The name of a hash used, in each of `places` ([block, first line, ...]), before any declaration there. */
export function pendingName(hash: string, places: number[]): string {
  return `${UNRESOLVED_PREFIX}${hash}${POS_SEP}${places.join(',')}`;
}

/**
 * A hash that parts of a big file used across blocks whose declarations name different paths: the part's figures
 * for it cannot be split by place, and the file must be scanned in one pass.
 */
export class AmbiguousHashError extends Error {
  constructor(readonly hash: string) {
    super(`hash ${hash} names different paths in different blocks of the file`);
    this.name = 'AmbiguousHashError';
  }
}

/**
 * Resolves the names parts of one file gave their hashes, against every part's declarations: a pending name takes
 * the declaration last before its position, else the first after it; a hash the file never declares stays
 * `UNRESOLVED_PREFIX + hash` for the run to resolve.
 */
export class PositionResolver {
  private readonly byHash = new Map<string, HashDecl[]>();
  /** The file's declarations in file order. */
  readonly ordered: HashDecl[];

  constructor(decls: HashDecl[]) {
    this.ordered = [...decls].sort((a, b) => a[3] - b[3] || a[4] - b[4]);
    for (const d of this.ordered) {
      const key = d[0] + '\u0000' + d[1];
      let list = this.byHash.get(key);
      if (!list) this.byHash.set(key, (list = []));
      list.push(d);
    }
  }

  resolve(kind: HashKind, name: string): string {
    if (!name.startsWith(UNRESOLVED_PREFIX)) return name;
    const rest = name.slice(UNRESOLVED_PREFIX.length);
    const sep = rest.lastIndexOf(POS_SEP);
    const hash = sep < 0 ? rest : rest.slice(0, sep);
    const list = this.byHash.get(kind + '\u0000' + hash);
    if (!list) return UNRESOLVED_PREFIX + hash;
    if (sep < 0) return list[0][2];
    const places = rest
      .slice(sep + POS_SEP.length)
      .split(',')
      .map(Number);
    let text: string | undefined;
    for (let i = 0; i < places.length; i += 2) {
      const at = atPlace(list, places[i], places[i + 1]);
      if (text !== undefined && at !== text) throw new AmbiguousHashError(hash);
      text = at;
    }
    return text!;
  }

  /** The first declaration of each hash of `kind`, in file order. */
  firsts(kind: HashKind): [string, string][] {
    const out = new Map<string, string>();
    for (const d of this.ordered) if (d[0] === kind && !out.has(d[1])) out.set(d[1], d[2]);
    return [...out];
  }

  /** The hashes declared again for something else, in file order; lines stay block-relative (with their block). */
  redeclarations(): Redeclarations {
    const r = new Redeclarations();
    const now = new Map<string, string>();
    for (const [kind, hash, text, block, line] of this.ordered) {
      const key = kind + '\u0000' + hash;
      const was = now.get(key);
      if (was !== undefined && was !== text) r.note(kind, hash, was, text, line, block);
      now.set(key, text);
    }
    return r;
  }
}

/** What `list` (one hash's declarations in file order) names at (block, line): the last declaration at or before
 * it, else the first after it. */
function atPlace(list: HashDecl[], block: number, line: number): string {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const d = list[mid];
    if (d[3] < block || (d[3] === block && d[4] <= line)) lo = mid + 1;
    else hi = mid;
  }
  return list[lo > 0 ? lo - 1 : 0][2];
}
