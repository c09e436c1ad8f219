import { viewOf } from './byte-view';
import {
  BACKSLASH,
  COLON,
  COMMA,
  K,
  keyId,
  latin1,
  LBRACE,
  LineFields,
  Ph,
  phLetter,
  phNumber,
  QUOTE,
  quotedNumber,
  RBRACE,
  scanValue,
  type Span,
} from './line-scanner';

/**
 * The fast path in front of the validating scanner. A tracer writes every line of one kind with the same bytes
 * between the values (`{"id":` … `,"name":"` … `","cat":"` …), so after the scanner has accepted a line its shape is
 * kept as a template: the literal bytes, and for each value slot what it is and which field it fills. The next lines
 * are matched against the template in one flat loop: literal bytes compared, values parsed in place.
 *
 * A line that matches a template is valid JSON by construction (the literal parts are bytes of a line the scanner
 * accepted, and each slot accepts only a JSON number or a string without escapes), and it fills the fields exactly as
 * the scanner would. Anything else (whitespace between tokens, an escape, a new key) fails the match and goes to the
 * scanner, which stays the one definition of what is accepted.
 */
export class LineTemplates {
  private readonly list: Template[] = [];
  /** common[a][b]: how many leading events (literal bytes and slots) templates a and b share. */
  private readonly common: number[][] = [];
  private readonly lastUsed: number[] = [];
  private clock = 0;
  /** The template that matched last: the next line is most likely of the same kind. */
  private current = 0;

  /** Fills `f` from the line and returns true when it matches a known template; false leaves `f` undefined. */
  match(b: Uint8Array, start: number, end: number, f: LineFields): boolean {
    const list = this.list;
    if (list.length === 0) return false;
    const e = objectEnd(b, start, end);
    if (e < 0) return false;
    let cur = this.current;
    let tried = 1 << cur;
    f.reset();
    failSlot = 0;
    failLit = 0;
    failAt = start;
    for (;;) {
      if (resume(list[cur], b, e, f)) {
        this.current = cur;
        this.lastUsed[cur] = ++this.clock;
        return true;
      }
      // Templates share long prefixes (every POSIX line starts alike): carry on where this one failed, in a
      // template that agrees with it on everything before that point and differs there.
      const depth = failSlot + failLit;
      const row = this.common[cur];
      let next = -1;
      for (let k = 0; k < list.length; k++) {
        if ((tried & (1 << k)) === 0 && row[k] === depth) {
          next = k;
          break;
        }
      }
      if (next < 0) return false;
      tried |= 1 << next;
      cur = next;
    }
  }

  /** Keeps the shape of a line the scanner has accepted as an object, when it is one a template can express. */
  learn(b: Uint8Array, start: number, end: number): void {
    const e = objectEnd(b, start, end);
    if (e < 0) return;
    const t = new TemplateBuilder(b, e).build(start);
    if (t === undefined) return;
    let slot = this.list.length;
    if (slot === MAX_TEMPLATES) {
      slot = 0;
      for (let k = 1; k < MAX_TEMPLATES; k++) if (this.lastUsed[k] < this.lastUsed[slot]) slot = k;
    }
    this.list[slot] = t;
    this.common[slot] = [];
    for (let k = 0; k < this.list.length; k++) {
      const n = k === slot ? Infinity : sharedEvents(t, this.list[k]);
      this.common[slot][k] = n;
      this.common[k][slot] = n;
    }
    this.lastUsed[slot] = ++this.clock;
    this.current = slot;
  }
}

/** Lines of different kinds interleave (reads, then an lseek, then a metadata line): a few shapes are kept. */
const MAX_TEMPLATES = 16;

const TAIL_MASK = new Int32Array([0, 0xff, 0xffff, 0xffffff]);

/** What a value slot is. */
const enum V {
  /** A JSON number. */
  Num,
  /** A string without escapes; its quotes belong to the literal bytes around it. */
  Str,
}

/** Which field a value slot fills. */
const enum T {
  Skip,
  Pid,
  Tid,
  Ts,
  Dur,
  Type,
  Ret,
  Size,
  Offset,
  Ph,
  Name,
  Cat,
  Fname,
  Fhash,
  Hostname,
  Hhash,
  ArgName,
  ArgValue,
}

/** Facts fixed by the shape itself. */
const enum Flag {
  HasId = 1,
  Quoted = 2,
  IntPh = 4,
  HasArgs = 8,
}

interface Template {
  /** All literal bytes in order; literal `s` (before slot `s`) ends at `litEnd[s]`, the last at `litEnd[slots]`. */
  lit: Uint8Array;
  /** words[j]: lit[j..j+4) as a little-endian int32, to compare four bytes at a time. */
  words: Int32Array;
  litEnd: Int32Array;
  /** Per slot, one load: literal end << 8 | (string slot ? 0x80 : 0) | target. */
  info: Int32Array;
  kind: Uint8Array;
  target: Uint8Array;
  slots: number;
  flags: number;
}

/**
 * The end of the line's object when it has the framing a template expects: `{` first, `}` last, after dropping a
 * `\r` and one trailing comma. -1 otherwise (the scanner deals with the rest).
 */
function objectEnd(b: Uint8Array, start: number, end: number): number {
  if (end - start < 2 || b[start] !== LBRACE) return -1;
  let e = end;
  if (b[e - 1] === 0x0d) e--;
  if (b[e - 1] === COMMA) e--;
  return b[e - 1] === RBRACE ? e : -1;
}

/** Where the last `resume` failed: slot index, literal index, and position in the line. */
let failSlot = 0;
let failLit = 0;
let failAt = 0;

/**
 * Matches the line from the state where the previous template failed (the start of the line at first) and fills the
 * fields; on failure records the state where it stopped. `e` is the end of the object.
 */
function resume(t: Template, b: Uint8Array, e: number, f: LineFields): boolean {
  const lit = t.lit;
  const info = t.info;
  const slots = t.slots;
  const words = t.words;
  const dv = viewOf(b);
  let p = failAt;
  let j = failLit;
  for (let s = failSlot; ; s++) {
    const si = info[s];
    const le = si >> 8;
    if (p + (le - j) <= e) {
      while (le - j >= 4 && dv.getInt32(p, true) === words[j]) {
        p += 4;
        j += 4;
      }
      // the last 1-3 bytes in one masked compare (the bytes after them are the value's, masked out)
      const r = le - j;
      if (r > 0 && r < 4 && p + 4 <= e && ((dv.getInt32(p, true) ^ words[j]) & TAIL_MASK[r]) === 0) {
        p += r;
        j = le;
      }
      while (j < le) {
        if (b[p] !== lit[j]) return fail(s, j, p);
        p++;
        j++;
      }
    } else {
      while (j < le) {
        if (p >= e || b[p] !== lit[j]) return fail(s, j, p);
        p++;
        j++;
      }
    }
    if (s === slots) return p === e ? finishFlags(t, f) : fail(s, j, p);
    const vs = p;
    const target = si & 0x7f;
    if ((si & 0x80) !== 0) {
      // four bytes at a time while none of them is a quote or a backslash
      while (p + 4 <= e) {
        const w = dv.getInt32(p, true);
        const q = w ^ 0x22222222;
        const k = w ^ 0x5c5c5c5c;
        if ((((q - 0x01010101) & ~q) | ((k - 0x01010101) & ~k)) & 0x80808080) break;
        p += 4;
      }
      let c = 0;
      while (p < e) {
        c = b[p];
        if (c === QUOTE || c === BACKSLASH) break;
        p++;
      }
      if (p >= e || c === BACKSLASH) return fail(s, j, vs);
      if (target !== T.Skip) setString(f, target, b, vs, p);
      continue;
    }
    // a JSON number, validated as the scanner does; integers are computed without building a string
    let c = b[p];
    if (c === 0x2d) c = b[++p];
    let v = 0;
    if (c === 0x30) c = b[++p];
    else if (c >= 0x31 && c <= 0x39) {
      do {
        v = v * 10 + (c - 0x30);
        c = b[++p];
      } while (c >= 0x30 && c <= 0x39);
    } else return fail(s, j, vs);
    let simple = true;
    if (c === 0x2e) {
      simple = false;
      c = b[++p];
      if (!(c >= 0x30 && c <= 0x39)) return fail(s, j, vs);
      do c = b[++p];
      while (c >= 0x30 && c <= 0x39);
    }
    if (c === 0x65 || c === 0x45) {
      simple = false;
      c = b[++p];
      if (c === 0x2b || c === 0x2d) c = b[++p];
      if (!(c >= 0x30 && c <= 0x39)) return fail(s, j, vs);
      do c = b[++p];
      while (c >= 0x30 && c <= 0x39);
    }
    if (p > e) return fail(s, j, vs);
    if (target === T.Skip) continue;
    if (!simple) v = Number(latin1(b, vs, p));
    else if (b[vs] === 0x2d) v = -v;
    setNumber(f, target, v, b, vs, p);
  }
}

function fail(s: number, j: number, p: number): false {
  failSlot = s;
  failLit = j;
  failAt = p;
  return false;
}

/** Leading events two templates share: a literal byte is one event, a slot (kind and field) another. */
function sharedEvents(a: Template, b: Template): number {
  let n = 0;
  for (let s = 0; s <= a.slots && s <= b.slots; s++) {
    const ja = s === 0 ? 0 : a.litEnd[s - 1];
    const jb = s === 0 ? 0 : b.litEnd[s - 1];
    const la = a.litEnd[s] - ja;
    const lb = b.litEnd[s] - jb;
    const m = Math.min(la, lb);
    for (let i = 0; i < m; i++, n++) if (a.lit[ja + i] !== b.lit[jb + i]) return n;
    if (la !== lb) return n;
    if (s === a.slots || s === b.slots) return n;
    if (a.kind[s] !== b.kind[s] || a.target[s] !== b.target[s]) return n;
    n++;
  }
  return n;
}

function finishFlags(t: Template, f: LineFields): true {
  const flags = t.flags;
  if (flags !== 0) {
    if (flags & Flag.HasId) f.hasId = true;
    if (flags & Flag.Quoted) f.quotedNumbers = true;
    if (flags & Flag.IntPh) f.intPh = true;
    if (flags & Flag.HasArgs) f.hasArgs = true;
  }
  return true;
}

function spanOf(f: LineFields, target: number): Span | undefined {
  switch (target) {
    case T.Name:
      return f.name;
    case T.Cat:
      return f.cat;
    case T.Fname:
      return f.fname;
    case T.Fhash:
      return f.fhash;
    case T.Hostname:
      return f.hostname;
    case T.Hhash:
      return f.hhash;
    case T.ArgName:
      return f.argName;
    case T.ArgValue:
      return f.argValue;
    default:
      return undefined;
  }
}

/** A string slot: a span, the one-letter `ph`, or a quoted number (v1.0.4 and older). */
function setString(f: LineFields, target: number, b: Uint8Array, s: number, e: number): void {
  const span = spanOf(f, target);
  if (span !== undefined) {
    span.start = s;
    span.end = e;
    span.escaped = false;
    span.bare = false;
    return;
  }
  if (target === T.Ph) f.ph = e === s + 1 ? phLetter(b[s]) : Ph.Other;
  else setNumber(f, target, quotedNumber(b, s, e), b, s, e);
}

/** A number slot: a numeric field, an integer `ph` (2026), or the raw text of a bare hash token. */
function setNumber(f: LineFields, target: number, v: number, b: Uint8Array, s: number, e: number): void {
  switch (target) {
    case T.Pid:
      f.pid = v;
      return;
    case T.Tid:
      f.tid = v;
      return;
    case T.Ts:
      f.ts = v;
      return;
    case T.Dur:
      f.dur = v;
      return;
    case T.Type:
      f.type = v;
      return;
    case T.Ret:
      f.ret = v;
      return;
    case T.Size:
      f.size = v;
      return;
    case T.Offset:
      f.offset = v;
      return;
    case T.Ph:
      f.ph = phNumber(v, b[s]);
      return;
    default: {
      const span = spanOf(f, target)!;
      span.start = s;
      span.end = e;
      span.escaped = false;
      span.bare = true;
    }
  }
}

/** Which field a key fills, or -1 when the key's value is one the scanner reads but a template cannot express. */
function slotTarget(k: K, inArgs: boolean): number {
  if (!inArgs) {
    switch (k) {
      case K.Name:
        return T.Name;
      case K.Cat:
        return T.Cat;
      case K.Pid:
        return T.Pid;
      case K.Tid:
        return T.Tid;
      case K.Ts:
        return T.Ts;
      case K.Dur:
        return T.Dur;
      case K.Type:
        return T.Type;
      case K.Ph:
        return T.Ph;
      default:
        return T.Skip; // Id, Args with a scalar value, unknown keys
    }
  }
  switch (k) {
    case K.Name:
      return T.ArgName;
    case K.Value:
      return T.ArgValue;
    case K.Fname:
      return T.Fname;
    case K.Fhash:
      return T.Fhash;
    case K.Hostname:
      return T.Hostname;
    case K.Hhash:
      return T.Hhash;
    case K.Ret:
      return T.Ret;
    case K.Size:
      return T.Size;
    case K.Offset:
      return T.Offset;
    default:
      return T.Skip;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Walks a line the scanner accepted and records its shape; gives up on anything a template cannot express. */
class TemplateBuilder {
  private readonly lit: number[] = [];
  private readonly litEnd: number[] = [];
  private readonly kind: number[] = [];
  private readonly target: number[] = [];
  private flags = 0;

  constructor(
    private readonly b: Uint8Array,
    private readonly e: number,
  ) {}

  build(start: number): Template | undefined {
    const p = this.object(start, false);
    if (p !== this.e) return undefined;
    const slots = this.kind.length;
    this.litEnd.push(this.lit.length);
    const lit = Uint8Array.from(this.lit);
    const words = new Int32Array(lit.length);
    // past the end of the literals the missing bytes are zero: only masked compares read those words
    for (let j = 0; j < lit.length; j++)
      words[j] = lit[j] | ((lit[j + 1] ?? 0) << 8) | ((lit[j + 2] ?? 0) << 16) | ((lit[j + 3] ?? 0) << 24);
    const info = new Int32Array(slots + 1);
    for (let s = 0; s <= slots; s++)
      info[s] =
        (this.litEnd[s] << 8) | (s < slots && this.kind[s] === V.Str ? 0x80 : 0) | (this.target[s] ?? 0);
    return {
      info,
      lit,
      words,
      litEnd: Int32Array.from(this.litEnd),
      kind: Uint8Array.from(this.kind),
      target: Uint8Array.from(this.target),
      slots,
      flags: this.flags,
    };
  }

  private copy(s: number, e: number): void {
    for (let i = s; i < e; i++) this.lit.push(this.b[i]);
  }

  private slot(kind: V, target: number): void {
    this.litEnd.push(this.lit.length);
    this.kind.push(kind);
    this.target.push(target);
  }

  /** From `{`; returns the index after the matching `}`, or -1. */
  private object(p: number, inArgs: boolean): number {
    const b = this.b;
    const e = this.e;
    this.lit.push(LBRACE);
    p++;
    if (b[p] === RBRACE) {
      this.lit.push(RBRACE);
      return p + 1;
    }
    for (;;) {
      if (b[p] !== QUOTE) return -1; // whitespace, or the scanner's business
      const ks = p + 1;
      let ke = ks;
      while (ke < e && b[ke] !== QUOTE && b[ke] !== BACKSLASH) ke++;
      if (ke >= e || b[ke] !== QUOTE || b[ke + 1] !== COLON) return -1;
      this.copy(p, ke + 2);
      p = ke + 2;
      const k = keyId(b, ks, ke, inArgs);
      p = this.value(p, k, inArgs);
      if (p < 0) return -1;
      const c = b[p];
      this.lit.push(c);
      p++;
      if (c === RBRACE) return p;
      if (c !== COMMA) return -1;
    }
  }

  private value(p: number, k: K, inArgs: boolean): number {
    const b = this.b;
    const e = this.e;
    const c = b[p];
    if (c === QUOTE) {
      let q = p + 1;
      while (q < e && b[q] !== QUOTE && b[q] !== BACKSLASH) q++;
      if (q >= e || b[q] !== QUOTE) return -1;
      this.lit.push(QUOTE);
      const target = slotTarget(k, inArgs);
      this.slot(V.Str, target);
      this.lit.push(QUOTE);
      if (k === K.Id) this.flags |= Flag.HasId | Flag.Quoted;
      else if (target >= T.Pid && target <= T.Offset) this.flags |= Flag.Quoted;
      return q + 1;
    }
    if (c === 0x2d || isDigit(c)) {
      const q = scanValue(b, p, e);
      if (q < 0) return -1;
      this.slot(V.Num, slotTarget(k, inArgs));
      if (k === K.Id) this.flags |= Flag.HasId;
      if (k === K.Ph && !inArgs) this.flags |= Flag.IntPh;
      return q;
    }
    if (c === LBRACE && k === K.Args && !inArgs) {
      if (b[p + 1] !== RBRACE) this.flags |= Flag.HasArgs;
      return this.object(p, true);
    }
    // objects, arrays, true, false, null: kept as literal bytes when nobody reads them
    if (slotTarget(k, inArgs) !== T.Skip || k === K.Args) return -1;
    const q = scanValue(b, p, e);
    if (q < 0) return -1;
    if (k === K.Id) this.flags |= Flag.HasId;
    this.copy(p, q);
    return q;
  }
}
