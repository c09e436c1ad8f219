/**
 * A validating JSON scanner for one trace line that reads the fields the engine needs straight from the bytes,
 * without building a JavaScript object (JSON.parse of every line is what makes notebook loaders slow).
 *
 * It accepts exactly what FORMAT.md's contract accepts: a JSON object, after trimming whitespace and dropping one
 * trailing comma, with raw control characters allowed inside strings. Anything else is a bad line with a reason.
 * Values are located as byte ranges; numbers may be quoted (v1.0.4 and older quote every number); hash tokens are
 * kept as raw text so 64-bit integers above 2^53 are never rounded.
 */

export const enum Ph {
  None = 0,
  Complete = 1,
  Counter = 2,
  Aggregated = 3,
  Metadata = 4,
  Other = 5,
}

export const enum LineKind {
  Blank,
  Bracket,
  Object,
  Bad,
}

/** A located string value: content between the quotes (or a bare number token), and whether it had escapes. */
export class Span {
  start = -1;
  end = -1;
  escaped = false;
  /** Set for bare (unquoted) tokens such as `"fhash":1234567890123456789`. */
  bare = false;
  reset(): void {
    this.start = -1;
    this.end = -1;
    this.escaped = false;
    this.bare = false;
  }
  get present(): boolean {
    return this.start >= 0;
  }
}

/** Fields of the last scanned line. Reused for every line; read it before scanning the next one. */
export class LineFields {
  ph = Ph.None;
  name = new Span();
  cat = new Span();
  pid = NaN;
  tid = NaN;
  ts = NaN;
  dur = NaN;
  /** 2026 writers add an integer `type`. */
  type = NaN;
  hasId = false;
  /** Some number was written as a quoted string (v1.0.4 and older). */
  quotedNumbers = false;
  /** `args` present and not empty. */
  hasArgs = false;
  fname = new Span();
  fhash = new Span();
  hostname = new Span();
  hhash = new Span();
  /** args.name / args.value: the two halves of FH/HH/SH metadata. */
  argName = new Span();
  argValue = new Span();
  ret = NaN;
  size = NaN;
  offset = NaN;
  /** `ph` written as an integer (2026). */
  intPh = false;

  reset(): void {
    this.ph = Ph.None;
    this.name.reset();
    this.cat.reset();
    this.pid = this.tid = this.ts = this.dur = this.type = NaN;
    this.ret = this.size = this.offset = NaN;
    this.hasId = this.quotedNumbers = this.hasArgs = this.intPh = false;
    this.fname.reset();
    this.fhash.reset();
    this.hostname.reset();
    this.hhash.reset();
    this.argName.reset();
    this.argValue.reset();
  }
}

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

function isWs(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

/** Key ids, matched on the bytes of a key without decoding it. */
export const enum K {
  Unknown,
  Name,
  Cat,
  Pid,
  Tid,
  Ts,
  Dur,
  Ph,
  Args,
  Id,
  Type,
  Fname,
  Fhash,
  Hostname,
  Hhash,
  Value,
  Ret,
  Size,
  Offset,
}

export function keyId(b: Uint8Array, s: number, e: number, inArgs: boolean): K {
  const n = e - s;
  const c0 = b[s];
  if (!inArgs) {
    switch (n) {
      case 2:
        if (c0 === 0x74 && b[s + 1] === 0x73) return K.Ts; // ts
        if (c0 === 0x70 && b[s + 1] === 0x68) return K.Ph; // ph
        if (c0 === 0x69 && b[s + 1] === 0x64) return K.Id; // id
        return K.Unknown;
      case 3:
        if (c0 === 0x70 && b[s + 1] === 0x69 && b[s + 2] === 0x64) return K.Pid;
        if (c0 === 0x74 && b[s + 1] === 0x69 && b[s + 2] === 0x64) return K.Tid;
        if (c0 === 0x64 && b[s + 1] === 0x75 && b[s + 2] === 0x72) return K.Dur;
        if (c0 === 0x63 && b[s + 1] === 0x61 && b[s + 2] === 0x74) return K.Cat;
        return K.Unknown;
      case 4:
        if (c0 === 0x6e && b[s + 1] === 0x61 && b[s + 2] === 0x6d && b[s + 3] === 0x65) return K.Name;
        if (c0 === 0x61 && b[s + 1] === 0x72 && b[s + 2] === 0x67 && b[s + 3] === 0x73) return K.Args;
        if (c0 === 0x74 && b[s + 1] === 0x79 && b[s + 2] === 0x70 && b[s + 3] === 0x65) return K.Type;
        return K.Unknown;
      default:
        return K.Unknown;
    }
  }
  switch (n) {
    case 3:
      if (c0 === 0x72 && b[s + 1] === 0x65 && b[s + 2] === 0x74) return K.Ret;
      return K.Unknown;
    case 4:
      if (c0 === 0x6e && b[s + 1] === 0x61 && b[s + 2] === 0x6d && b[s + 3] === 0x65) return K.Name;
      if (c0 === 0x73 && b[s + 1] === 0x69 && b[s + 2] === 0x7a && b[s + 3] === 0x65) return K.Size;
      return K.Unknown;
    case 5:
      if (c0 === 0x66 && matches(b, s, 'fname')) return K.Fname;
      if (c0 === 0x66 && matches(b, s, 'fhash')) return K.Fhash;
      if (c0 === 0x68 && matches(b, s, 'hhash')) return K.Hhash;
      if (c0 === 0x76 && matches(b, s, 'value')) return K.Value;
      return K.Unknown;
    case 6:
      if (c0 === 0x6f && matches(b, s, 'offset')) return K.Offset;
      return K.Unknown;
    case 8:
      if (c0 === 0x68 && matches(b, s, 'hostname')) return K.Hostname;
      return K.Unknown;
    default:
      return K.Unknown;
  }
}

function matches(b: Uint8Array, s: number, word: string): boolean {
  for (let i = 1; i < word.length; i++) if (b[s + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Why the last line was bad. */
export let badReason = '';

/**
 * Scans the line b[start, end) into `f`. Returns the kind of line. For `Bad`, `badReason` says why.
 */
export function scanLine(b: Uint8Array, start: number, end: number, f: LineFields): LineKind {
  while (start < end && isWs(b[start])) start++;
  while (end > start && isWs(b[end - 1])) end--;
  if (start === end) return LineKind.Blank;
  // `[`, `]`, and `][` from `cat a.pfw b.pfw`
  const first = b[start];
  if (first === LBRACKET || first === RBRACKET) {
    let i = start;
    while (i < end && (b[i] === LBRACKET || b[i] === RBRACKET || isWs(b[i]))) i++;
    if (i === end) return LineKind.Bracket;
    // `[{"...` on the same line as the bracket: drop the bracket, read the rest
    if (first === LBRACKET && b[i] === LBRACE) start = i;
  }
  if (b[end - 1] === COMMA) {
    end--;
    while (end > start && isWs(b[end - 1])) end--;
  }
  f.reset();
  if (b[start] !== LBRACE) return bad('not a JSON object');
  const p = scanObject(b, start, end, f, false);
  if (p < 0) return LineKind.Bad;
  let q = p;
  while (q < end && isWs(b[q])) q++;
  if (q !== end) return bad('text after the closing brace');
  return LineKind.Object;
}

function bad(reason: string): LineKind.Bad {
  badReason = reason;
  return LineKind.Bad;
}

function fail(reason: string): number {
  badReason = reason;
  return -1;
}

/** Scans an object starting at `{`; returns the index after `}` or -1. */
function scanObject(b: Uint8Array, p: number, end: number, f: LineFields, inArgs: boolean): number {
  // Tracer lines have no whitespace between tokens: test one byte before calling skipWs (`<= 0x20` covers all
  // JSON whitespace; other control bytes are left for the checks that follow to reject).
  p++; // {
  if (b[p] <= 0x20) p = skipWs(b, p, end);
  if (p < end && b[p] === RBRACE) return p + 1;
  const shape = inArgs ? argsShape : topShape;
  let i = 0;
  for (;;) {
    if (p >= end) return fail('line ends inside an object');
    if (b[p] !== QUOTE)
      return fail(b[p] === RBRACE ? 'trailing comma in an object' : 'expected a quoted key');
    const ks = p + 1;
    let ke: number;
    let k: K;
    const expected = shape.keys[i];
    if (expected !== undefined && keyMatches(b, ks, expected, end)) {
      // the same key as the previous line had here: no scan, no lookup
      ke = ks + expected.length;
      k = shape.kinds[i];
    } else {
      // keys are plain words: find the closing quote directly; only an escape takes the full string path
      ke = ks;
      while (ke < end && b[ke] !== QUOTE && b[ke] !== BACKSLASH) ke++;
      if (ke >= end || b[ke] === BACKSLASH) {
        ke = scanString(b, ks, end);
        if (ke < 0) return -1;
      } else if (i < MAX_SHAPE_KEYS) {
        // a copy: a view would keep the whole (multi-MiB) text block alive
        shape.keys[i] = Uint8Array.prototype.slice.call(b, ks, ke);
        shape.kinds[i] = keyId(b, ks, ke, inArgs);
      }
      k = keyId(b, ks, ke, inArgs);
    }
    i++;
    p = ke + 1;
    if (b[p] <= 0x20) p = skipWs(b, p, end);
    if (p >= end || b[p] !== COLON) return fail('expected ":" after a key');
    p++;
    if (b[p] <= 0x20) p = skipWs(b, p, end);
    if (p >= end) return fail('line ends before a value');
    p = k === K.Unknown ? scanValue(b, p, end) : scanField(b, p, end, f, k, inArgs);
    if (p < 0) return -1;
    if (b[p] <= 0x20) p = skipWs(b, p, end);
    if (p >= end) return fail('line ends inside an object');
    const c = b[p];
    if (c === COMMA) {
      p++;
      if (b[p] <= 0x20) p = skipWs(b, p, end);
      continue;
    }
    if (c === RBRACE) return p + 1;
    return fail('expected "," or "}" after a value (an unescaped quote in a name?)');
  }
}

/**
 * The keys the previous line had at each position, for the top level and for `args`: the lines of a trace share
 * one or two shapes, so a key is usually recognised by comparing its bytes with the expected one.
 */
class KeyShape {
  keys: Uint8Array[] = [];
  kinds: K[] = [];
}
const topShape = new KeyShape();
const argsShape = new KeyShape();
const MAX_SHAPE_KEYS = 32;

function keyMatches(b: Uint8Array, s: number, key: Uint8Array, end: number): boolean {
  const n = key.length;
  if (s + n >= end || b[s + n] !== QUOTE) return false;
  for (let j = 0; j < n; j++) if (b[s + j] !== key[j]) return false;
  return true;
}

function skipWs(b: Uint8Array, p: number, end: number): number {
  while (p < end && isWs(b[p])) p++;
  return p;
}

let lastStringEscaped = false;

/** From the first byte inside a string, returns the index of the closing quote, or -1. */
function scanString(b: Uint8Array, p: number, end: number): number {
  lastStringEscaped = false;
  for (;;) {
    if (p >= end) return fail('line ends inside a string (cut line or newline inside a name)');
    const c = b[p];
    if (c === QUOTE) return p;
    if (c === BACKSLASH) {
      lastStringEscaped = true;
      const e = b[p + 1];
      if (e === 0x75) {
        for (let i = 2; i < 6; i++)
          if (!isHex(b[p + i]) || p + i >= end) return fail('bad \\u escape in a string');
        p += 6;
        continue;
      }
      if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        p += 2;
        continue;
      }
      return fail('invalid escape in a string (an unescaped backslash in a name?)');
    }
    p++;
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Scans a JSON number at p; returns the index after it, or -1. Sets `numValue`. */
let numValue = NaN;
function scanNumber(b: Uint8Array, p: number, end: number): number {
  const s = p;
  let neg = false;
  if (b[p] === 0x2d) {
    neg = true;
    p++;
  }
  if (p >= end || b[p] < 0x30 || b[p] > 0x39) return fail('invalid value');
  let v = 0;
  if (b[p] === 0x30) p++;
  else while (p < end && b[p] >= 0x30 && b[p] <= 0x39) v = v * 10 + (b[p++] - 0x30);
  let simple = true;
  if (p < end && b[p] === 0x2e) {
    simple = false;
    p++;
    if (p >= end || b[p] < 0x30 || b[p] > 0x39) return fail('invalid number');
    while (p < end && b[p] >= 0x30 && b[p] <= 0x39) p++;
  }
  if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
    simple = false;
    p++;
    if (p < end && (b[p] === 0x2b || b[p] === 0x2d)) p++;
    if (p >= end || b[p] < 0x30 || b[p] > 0x39) return fail('invalid number');
    while (p < end && b[p] >= 0x30 && b[p] <= 0x39) p++;
  }
  numValue = simple ? (neg ? -v : v) : Number(latin1(b, s, p));
  return p;
}

/** Bytes as one char each: for the text of a number, which is ASCII. */
export function latin1(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]);
  return out;
}

/** A number written inside quotes (`"ts":"1698080323775554"`); NaN when the text is not a number. */
export function quotedNumber(b: Uint8Array, s: number, e: number): number {
  if (s === e) return NaN;
  let p = s;
  let neg = false;
  if (b[p] === 0x2d) {
    neg = true;
    p++;
  }
  let v = 0;
  const digitsStart = p;
  while (p < e && b[p] >= 0x30 && b[p] <= 0x39) v = v * 10 + (b[p++] - 0x30);
  if (p === e && p > digitsStart) return neg ? -v : v;
  const n = Number(latin1(b, s, e));
  return n;
}

/** Validates any JSON value at p (not a field we read); returns the index after it, or -1. */
export function scanValue(b: Uint8Array, p: number, end: number): number {
  const c = b[p];
  if (c === QUOTE) {
    const q = scanString(b, p + 1, end);
    return q < 0 ? -1 : q + 1;
  }
  if (c === LBRACE) return scanAnyObject(b, p, end);
  if (c === LBRACKET) return scanArray(b, p, end);
  if (c === 0x74) return literal(b, p, end, 'true');
  if (c === 0x66) return literal(b, p, end, 'false');
  if (c === 0x6e) return literal(b, p, end, 'null');
  return skipNumber(b, p, end);
}

/** Validates a number nobody reads (p_idx, level, fd, ...) without computing its value. */
function skipNumber(b: Uint8Array, p: number, end: number): number {
  if (b[p] === 0x2d) p++;
  const c = b[p];
  if (p >= end || c < 0x30 || c > 0x39) return fail('invalid value');
  p++;
  if (c !== 0x30) while (p < end && b[p] >= 0x30 && b[p] <= 0x39) p++;
  if (p < end && (b[p] === 0x2e || b[p] === 0x65 || b[p] === 0x45)) return scanNumber(b, skipBack(b, p), end);
  return p;
}

/** Back to the start of the number that ends at p (rare path: fractions and exponents). */
function skipBack(b: Uint8Array, p: number): number {
  while (p > 0 && ((b[p - 1] >= 0x30 && b[p - 1] <= 0x39) || b[p - 1] === 0x2d)) p--;
  return p;
}

function literal(b: Uint8Array, p: number, end: number, word: string): number {
  if (p + word.length > end) return fail('invalid value');
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word.charCodeAt(i)) return fail('invalid value');
  return p + word.length;
}

function scanAnyObject(b: Uint8Array, p: number, end: number): number {
  p = skipWs(b, p + 1, end);
  if (p < end && b[p] === RBRACE) return p + 1;
  for (;;) {
    if (p >= end) return fail('line ends inside an object');
    if (b[p] !== QUOTE)
      return fail(b[p] === RBRACE ? 'trailing comma in an object' : 'expected a quoted key');
    const ke = scanString(b, p + 1, end);
    if (ke < 0) return -1;
    p = skipWs(b, ke + 1, end);
    if (p >= end || b[p] !== COLON) return fail('expected ":" after a key');
    p = skipWs(b, p + 1, end);
    if (p >= end) return fail('line ends before a value');
    p = scanValue(b, p, end);
    if (p < 0) return -1;
    p = skipWs(b, p, end);
    if (p >= end) return fail('line ends inside an object');
    if (b[p] === COMMA) {
      p = skipWs(b, p + 1, end);
      continue;
    }
    if (b[p] === RBRACE) return p + 1;
    return fail('expected "," or "}" after a value');
  }
}

function scanArray(b: Uint8Array, p: number, end: number): number {
  p = skipWs(b, p + 1, end);
  if (p < end && b[p] === RBRACKET) return p + 1;
  for (;;) {
    if (p >= end) return fail('line ends inside an array');
    if (b[p] === RBRACKET) return fail('trailing comma in an array');
    p = scanValue(b, p, end);
    if (p < 0) return -1;
    p = skipWs(b, p, end);
    if (p >= end) return fail('line ends inside an array');
    if (b[p] === COMMA) {
      p = skipWs(b, p + 1, end);
      continue;
    }
    if (b[p] === RBRACKET) return p + 1;
    return fail('expected "," or "]" in an array');
  }
}

/** Reads a number that may be quoted. Returns index after the value, sets numValue (NaN if not numeric). */
function scanNumberish(b: Uint8Array, p: number, end: number, f: LineFields): number {
  if (b[p] === QUOTE) {
    const q = scanString(b, p + 1, end);
    if (q < 0) return -1;
    numValue = quotedNumber(b, p + 1, q);
    f.quotedNumbers = true;
    return q + 1;
  }
  if (b[p] === 0x2d || (b[p] >= 0x30 && b[p] <= 0x39)) return scanNumber(b, p, end);
  const r = scanValue(b, p, end);
  numValue = NaN;
  return r;
}

/** Records a string, or the raw text of a bare token (hash values may be 64-bit integers). */
function scanToken(b: Uint8Array, p: number, end: number, span: Span): number {
  if (b[p] === QUOTE) {
    const q = scanString(b, p + 1, end);
    if (q < 0) return -1;
    span.start = p + 1;
    span.end = q;
    span.escaped = lastStringEscaped;
    span.bare = false;
    return q + 1;
  }
  const r = scanValue(b, p, end);
  if (r < 0) return -1;
  if (b[p] !== LBRACE && b[p] !== LBRACKET) {
    span.start = p;
    span.end = r;
    span.bare = true;
  }
  return r;
}

function scanField(b: Uint8Array, p: number, end: number, f: LineFields, k: K, inArgs: boolean): number {
  let r: number;
  switch (k) {
    case K.Name:
      return scanToken(b, p, end, inArgs ? f.argName : f.name);
    case K.Cat:
      return scanToken(b, p, end, f.cat);
    case K.Ph:
      if (b[p] === QUOTE) {
        const q = scanString(b, p + 1, end);
        if (q < 0) return -1;
        f.ph = q === p + 2 ? phLetter(b[p + 1]) : Ph.Other;
        return q + 1;
      }
      r = b[p] === 0x2d || (b[p] >= 0x30 && b[p] <= 0x39) ? scanNumber(b, p, end) : scanValue(b, p, end);
      if (r < 0) return -1;
      f.intPh = true;
      f.ph = phNumber(numValue, b[p]);
      return r;
    case K.Args:
      if (b[p] !== LBRACE) return scanValue(b, p, end);
      r = scanObject(b, p, end, f, true);
      if (r > p + 2) f.hasArgs = hasNonWsBetween(b, p + 1, r - 1);
      return r;
    case K.Fname:
      return scanToken(b, p, end, f.fname);
    case K.Fhash:
      return scanToken(b, p, end, f.fhash);
    case K.Hostname:
      return scanToken(b, p, end, f.hostname);
    case K.Hhash:
      return scanToken(b, p, end, f.hhash);
    case K.Value:
      return scanToken(b, p, end, f.argValue);
    case K.Id:
      f.hasId = true;
      if (b[p] === QUOTE) f.quotedNumbers = true;
      return scanValue(b, p, end);
    default:
      break;
  }
  r = scanNumberish(b, p, end, f);
  if (r < 0) return -1;
  switch (k) {
    case K.Pid:
      f.pid = numValue;
      break;
    case K.Tid:
      f.tid = numValue;
      break;
    case K.Ts:
      f.ts = numValue;
      break;
    case K.Dur:
      f.dur = numValue;
      break;
    case K.Type:
      f.type = numValue;
      break;
    case K.Ret:
      f.ret = numValue;
      break;
    case K.Size:
      f.size = numValue;
      break;
    case K.Offset:
      f.offset = numValue;
      break;
    default:
      break;
  }
  return r;
}

function hasNonWsBetween(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (!isWs(b[i])) return true;
  return false;
}

export function phLetter(c: number): Ph {
  switch (c) {
    case 0x58: // X
      return Ph.Complete;
    case 0x4d: // M
      return Ph.Metadata;
    case 0x43: // C
    case 0x41: // A
      return Ph.Counter;
    default:
      return Ph.Other;
  }
}

export function phNumber(n: number, firstByte: number): Ph {
  if (firstByte < 0x30 || firstByte > 0x39) return Ph.Other;
  switch (n) {
    case 1:
      return Ph.Complete;
    case 2:
      return Ph.Counter;
    case 3:
      return Ph.Aggregated;
    case 4:
      return Ph.Metadata;
    default:
      return Ph.Other;
  }
}
