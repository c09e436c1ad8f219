import type { TimelineStore } from './store';

/**
 * A filter expression over event fields, e.g. `cat == "POSIX" and dur > 1000 and file ~ "ckpt"`.
 *   comparison: <field> <op> <value>; fields: name (or op), cat, file, host (text), dur, ts, bytes, pid, tid,
 *   level (numbers); ops: == != < <= > >= on numbers, == != on text, ~ and !~ (regular expression match) on text.
 *   combine with and / or / not (also && || !) and parentheses; strings in "double" or 'single' quotes.
 * A bad expression throws a FilterError that says what was expected and where.
 */
export class FilterError extends Error {
  constructor(
    message: string,
    /** 1-based column of the offending token. */
    readonly column: number,
  ) {
    super(`${message} (at column ${column})`);
    this.name = 'FilterError';
  }
}

const TEXT_FIELDS = ['name', 'op', 'cat', 'file', 'host'] as const;
const NUMBER_FIELDS = ['dur', 'ts', 'bytes', 'pid', 'tid', 'level'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
type NumberField = (typeof NUMBER_FIELDS)[number];
type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~';

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; inner: FilterNode }
  | { kind: 'text'; field: TextField; op: '==' | '!=' | '~' | '!~'; value: string; regex?: RegExp }
  | { kind: 'number'; field: NumberField; op: Exclude<CompareOp, '~' | '!~'>; value: number };

interface Token {
  kind: 'word' | 'string' | 'number' | 'op' | '(' | ')' | 'end';
  text: string;
  at: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i + 1;
    if (c === '(' || c === ')') {
      out.push({ kind: c, text: c, at });
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        text += src[j++];
      }
      if (j >= src.length) throw new FilterError(`unterminated string starting with ${c}`, at);
      out.push({ kind: 'string', text, at });
      i = j + 1;
    } else if (/[0-9.-]/.test(c)) {
      const m = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(src.slice(i));
      if (!m) throw new FilterError(`unexpected '${c}'`, at);
      out.push({ kind: 'number', text: m[0], at });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ kind: 'word', text: m[0], at });
      i += m[0].length;
    } else {
      const m = /^(==|!=|<=|>=|!~|&&|\|\||[<>~!=])/.exec(src.slice(i));
      if (!m) throw new FilterError(`unexpected '${c}'`, at);
      out.push({ kind: 'op', text: m[0] === '=' ? '==' : m[0], at });
      i += m[0].length;
    }
  }
  out.push({ kind: 'end', text: '', at: src.length + 1 });
  return out;
}

/** Parses a filter expression; an empty one matches everything (returns undefined). */
export function parseFilter(src: string): FilterNode | undefined {
  const toks = tokenize(src);
  if (toks[0].kind === 'end') return undefined;
  let p = 0;
  const peek = () => toks[p];
  const isWord = (t: Token, ...w: string[]) => t.kind === 'word' && w.includes(t.text.toLowerCase());
  const describe = (t: Token) => (t.kind === 'end' ? 'the end' : `'${t.text}'`);
  const or = (): FilterNode => {
    let left = and();
    while (isWord(peek(), 'or') || (peek().kind === 'op' && peek().text === '||')) {
      p++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): FilterNode => {
    let left = not();
    while (isWord(peek(), 'and') || (peek().kind === 'op' && peek().text === '&&')) {
      p++;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  };
  const not = (): FilterNode => {
    if (isWord(peek(), 'not') || (peek().kind === 'op' && peek().text === '!')) {
      p++;
      return { kind: 'not', inner: not() };
    }
    return primary();
  };
  const primary = (): FilterNode => {
    const t = peek();
    if (t.kind === '(') {
      p++;
      const inner = or();
      if (peek().kind !== ')') throw new FilterError(`expected ')' but found ${describe(peek())}`, peek().at);
      p++;
      return inner;
    }
    if (t.kind !== 'word')
      throw new FilterError(
        `expected a field (${[...TEXT_FIELDS, ...NUMBER_FIELDS].join(', ')}) but found ${describe(t)}`,
        t.at,
      );
    const field = t.text.toLowerCase();
    p++;
    const o = peek();
    if (o.kind !== 'op' || !['==', '!=', '<', '<=', '>', '>=', '~', '!~'].includes(o.text))
      throw new FilterError(
        `expected a comparison (== != < <= > >= ~ !~) after '${t.text}' but found ${describe(o)}`,
        o.at,
      );
    p++;
    const v = peek();
    const op = o.text as CompareOp;
    if ((TEXT_FIELDS as readonly string[]).includes(field)) {
      if (v.kind !== 'string' && v.kind !== 'number' && v.kind !== 'word')
        throw new FilterError(`expected a quoted text after '${o.text}' but found ${describe(v)}`, v.at);
      if (op !== '==' && op !== '!=' && op !== '~' && op !== '!~')
        throw new FilterError(`'${field}' is text: use ==, !=, ~ or !~, not '${op}'`, o.at);
      p++;
      const node: FilterNode = { kind: 'text', field: field as TextField, op, value: v.text };
      if (op === '~' || op === '!~') {
        try {
          node.regex = new RegExp(v.text);
        } catch (e) {
          throw new FilterError(`bad regular expression: ${(e as Error).message}`, v.at);
        }
      }
      return node;
    }
    if ((NUMBER_FIELDS as readonly string[]).includes(field)) {
      if (op === '~' || op === '!~')
        throw new FilterError(`'${field}' is a number: '~' matches text only`, o.at);
      if (v.kind !== 'number')
        throw new FilterError(`expected a number after '${o.text}' but found ${describe(v)}`, v.at);
      p++;
      return { kind: 'number', field: field as NumberField, op, value: Number(v.text) };
    }
    throw new FilterError(
      `unknown field '${t.text}': use one of ${[...TEXT_FIELDS, ...NUMBER_FIELDS].join(', ')}`,
      t.at,
    );
  };
  const node = or();
  if (peek().kind !== 'end')
    throw new FilterError(`expected 'and', 'or' or the end but found ${describe(peek())}`, peek().at);
  return node;
}

function textMatch(node: Extract<FilterNode, { kind: 'text' }>, s: string): boolean {
  switch (node.op) {
    case '==':
      return s === node.value;
    case '!=':
      return s !== node.value;
    case '~':
      return node.regex!.test(s);
    case '!~':
      return !node.regex!.test(s);
  }
}

function numberMatch(op: Extract<FilterNode, { kind: 'number' }>['op'], x: number, v: number): boolean {
  switch (op) {
    case '==':
      return x === v;
    case '!=':
      return x !== v;
    case '<':
      return x < v;
    case '<=':
      return x <= v;
    case '>':
      return x > v;
    case '>=':
      return x >= v;
  }
}

/** Evaluates a parsed filter for every row: 1 where it matches. Text tests run once per distinct string. */
export function filterMask(s: TimelineStore, node: FilterNode | undefined): Uint8Array {
  const mask = new Uint8Array(s.length);
  if (!node) return mask.fill(1);
  const hostNames = s.lanes.map((l) => l.host);
  const test = compile(node);
  for (let i = 0; i < s.length; i++) mask[i] = test(i) ? 1 : 0;
  return mask;

  function compile(n: FilterNode): (row: number) => boolean {
    switch (n.kind) {
      case 'and': {
        const a = compile(n.left);
        const b = compile(n.right);
        return (r) => a(r) && b(r);
      }
      case 'or': {
        const a = compile(n.left);
        const b = compile(n.right);
        return (r) => a(r) || b(r);
      }
      case 'not': {
        const a = compile(n.inner);
        return (r) => !a(r);
      }
      case 'text': {
        const [names, ids] = ((): [string[], ArrayLike<number>] => {
          switch (n.field) {
            case 'name':
            case 'op':
              return [s.opNames, s.op];
            case 'cat':
              return [s.catNames, s.cat];
            case 'file':
              return [s.fileNames, s.file];
            case 'host':
              return [hostNames, s.lane];
          }
        })();
        const hit = Uint8Array.from(names, (x) => (textMatch(n, x) ? 1 : 0));
        return (r) => hit[ids[r]] === 1;
      }
      case 'number': {
        const col = s[n.field];
        const v = n.value;
        const op = n.op;
        return (r) => numberMatch(op, col[r], v);
      }
    }
  }
}
