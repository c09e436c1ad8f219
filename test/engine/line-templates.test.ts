// The template fast path must be invisible: on every line it accepts it fills exactly what the validating scanner
// fills, and it never accepts a line the scanner rejects. Checked on every line of the real traces, on made lines
// for each slot kind, and on thousands of random one-byte mutations of real lines.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { LineFields, LineKind, scanLine, type Span } from '../../src/engine/scan/line-scanner';
import { LineTemplates } from '../../src/engine/scan/line-templates';
import { rng } from '../../src/synth/random';
import { haveSharedTraces, TRACES, traceFiles } from './shared-traces';

function spanText(b: Uint8Array, s: Span): string | null {
  if (s.start < 0) return null;
  return `${Buffer.from(b.subarray(s.start, s.end)).toString('latin1')}|${s.escaped}|${s.bare}`;
}

/** Everything a scan fills, as plain data to compare. */
function snapshot(b: Uint8Array, f: LineFields): object {
  return {
    ph: f.ph,
    name: spanText(b, f.name),
    cat: spanText(b, f.cat),
    pid: f.pid,
    tid: f.tid,
    ts: f.ts,
    dur: f.dur,
    type: f.type,
    hasId: f.hasId,
    quotedNumbers: f.quotedNumbers,
    hasArgs: f.hasArgs,
    fname: spanText(b, f.fname),
    fhash: spanText(b, f.fhash),
    hostname: spanText(b, f.hostname),
    hhash: spanText(b, f.hhash),
    argName: spanText(b, f.argName),
    argValue: spanText(b, f.argValue),
    ret: f.ret,
    size: f.size,
    offset: f.offset,
    intPh: f.intPh,
  };
}

/** Feeds lines as the accumulator does; asserts agreement on every matched line; returns how many matched. */
function check(templates: LineTemplates, lines: Uint8Array[], what: string): number {
  const viaTemplate = new LineFields();
  const viaScanner = new LineFields();
  let matched = 0;
  lines.forEach((b, i) => {
    const kind = scanLine(b, 0, b.length, viaScanner);
    if (templates.match(b, 0, b.length, viaTemplate)) {
      matched++;
      const text = Buffer.from(b).toString('utf8');
      assert.equal(
        kind,
        LineKind.Object,
        `${what} line ${i + 1}: template accepted a line the scanner rejects: ${text}`,
      );
      assert.deepEqual(snapshot(b, viaTemplate), snapshot(b, viaScanner), `${what} line ${i + 1}: ${text}`);
    } else if (kind === LineKind.Object) {
      templates.learn(b, 0, b.length);
    }
  });
  return matched;
}

function textLines(path: string): Uint8Array[] {
  const raw = fs.readFileSync(path);
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < text.length) {
    let nl = text.indexOf(10, p);
    if (nl < 0) nl = text.length;
    out.push(text.subarray(p, nl));
    p = nl + 1;
  }
  return out;
}

const enc = (s: string) => Buffer.from(s, 'utf8');

describe('line templates', () => {
  (haveSharedTraces() ? it : it.skip)(
    'agree with the scanner on every line of every shared trace',
    function () {
      this.timeout(300_000);
      for (const folder of fs.readdirSync(TRACES)) {
        if (!fs.statSync(`${TRACES}/${folder}`).isDirectory()) continue;
        for (const file of traceFiles(folder)) {
          const lines = textLines(file);
          const matched = check(new LineTemplates(), lines, file);
          // the fast path has to carry real traces, or it is only overhead
          if (lines.length > 5000)
            assert.ok(matched > lines.length * 0.8, `${file}: ${matched} of ${lines.length}`);
        }
      }
    },
  );

  it('fill every kind of slot as the scanner does', () => {
    const shapes = [
      // v1.0.15: hex hashes, integer numbers
      '{"id":1,"name":"read","cat":"POSIX","pid":7,"tid":8,"ts":1760614112028051,"dur":805,"ph":"X","args":{"hhash":"f05e","ret":1048576,"fhash":"7071","fd":23}}',
      // 64-bit integer hashes past 2^53, negative and fractional numbers
      '{"id":2,"name":"write","cat":"POSIX","pid":-1,"tid":0,"ts":1.5e3,"dur":0.25,"ph":"X","args":{"fhash":18446744073709551615,"ret":-1,"size":4096,"offset":-0}}',
      // v1.0.4: every number quoted
      '{"id":"3","name":"pwrite","cat":"POSIX","pid":"7","tid":"8","ts":"1698080323775554","dur":"12","ph":"X","args":{"fname":"/p/a b","ret":"42","size":"x"}}',
      // 2026: integer ph, type, trailing comma and CR
      '{"id":4,"name":"fwrite","cat":"STDIO","pid":7,"tid":8,"ts":5,"dur":6,"ph":1,"type":0,"args":{"ret":3,"size":2}},\r',
      // metadata, hostname, empty args, literals nobody reads
      '{"id":5,"name":"FH","cat":"dftracer","pid":7,"tid":7,"ph":"M","args":{"name":"/a","value":"ab12","flag":true,"tags":[1,{"x":null}]}}',
      '{"name":"x","cat":"c","ph":"M","args":{}}',
      '{"name":"span","cat":"checkpoint","ph":"B","pid":1,"tid":1,"ts":9,"args":{"hostname":"n1","step":8}}',
    ];
    for (const shape of shapes) {
      const t = new LineTemplates();
      const b = enc(shape);
      assert.equal(scanLine(b, 0, b.length, new LineFields()), LineKind.Object, shape);
      t.learn(b, 0, b.length);
      assert.equal(check(t, [b], shape), 1, `a line matches the template learned from it: ${shape}`);
    }
    // other values in the same slots
    const t = new LineTemplates();
    const first = enc(shapes[0]);
    t.learn(first, 0, first.length);
    const variants = [
      shapes[0].replace('"ts":1760614112028051', '"ts":-12.5E-3'),
      shapes[0].replace('"name":"read"', '"name":""'),
      shapes[0].replace('"fhash":"7071"', '"fhash":"\u0001raw control"'),
      shapes[0].replace('"ret":1048576', '"ret":0'),
      shapes[0] + ',',
    ];
    assert.equal(check(t, variants.map(enc), 'variants'), variants.length);
  });

  it('leave to the scanner every line that differs from the shapes in form', () => {
    const line =
      '{"id":1,"name":"read","cat":"POSIX","pid":7,"tid":8,"ts":100,"dur":5,"ph":"X","args":{"fhash":"ab","ret":4}}';
    const t = new LineTemplates();
    t.learn(enc(line), 0, line.length);
    const refused = [
      line.replace('"name":"read"', '"name":"re\\"ad"'), // an escaped quote
      line.replace('"name":"read"', '"name":"re\\nad"'), // an escape the span must say it has
      line.replace('"fhash":"ab"', '"fhash":"a\\u0062"'),
      line.replace('"ts":100', '"ts": 100'), // whitespace
      line.replace('"ts":100', '"ts":0100'), // leading zero
      line.replace('"ts":100', '"ts":-'),
      line.replace('"ts":100', '"ts":1.'),
      line.replace('"ts":100', '"ts":1e'),
      line.replace('"name":"read"', '"name":"re"ad"'), // an unescaped quote
      line.replace('"ret":4', '"ret":4,"size":8'), // a new key
      line.replace('"ret":4', '"ret":"4"'), // a quoted number where the shape has a bare one
      line.slice(0, -1), // cut
      line + '}',
      line + ',,',
      ' ' + line,
      line.replace('"fhash":"ab"', '"fhash":"ab'),
    ];
    const f = new LineFields();
    for (const r of refused) {
      const b = enc(r);
      assert.equal(t.match(b, 0, b.length, f), false, r);
    }
  });

  it('switch between shapes that share a long prefix, line after line', () => {
    const a = (i: number) =>
      `{"id":${i},"name":"read","cat":"POSIX","pid":1,"tid":2,"ts":${i},"dur":3,"ph":"X","args":{"hhash":"h","ret":4,"count":4,"fhash":"f","fd":3}}`;
    const b = (i: number) =>
      `{"id":${i},"name":"read","cat":"POSIX","pid":1,"tid":2,"ts":${i},"dur":3,"ph":"X","args":{"hhash":"h","ret":4,"count":4,"offset":0,"fhash":"f","fd":3}}`;
    const c = (i: number) =>
      `{"id":${i},"name":"lseek","cat":"POSIX","pid":1,"tid":2,"ts":${i},"dur":3,"ph":"X","args":{"hhash":"h","ret":4,"whence":0,"offset":0,"fhash":"f","fd":3}}`;
    const lines: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) lines.push(enc([a, b, c][i % 3](i)), enc([c, a, b][i % 3](i)));
    const matched = check(new LineTemplates(), lines, 'interleaved');
    assert.equal(matched, lines.length - 3, 'only the first line of each shape goes to the scanner');
  });

  (haveSharedTraces() ? it : it.skip)(
    'never accept a mutated line the scanner would reject or read differently',
    () => {
      const rand = rng(7);
      const source = textLines(traceFiles('resnet50-v1.0.15-2025')[0]).filter((l) => l.length > 20);
      const alphabet = enc('{}[]":,\\ 0123456789-.eE+truefalsnl\r\tXM\u0001');
      const t = new LineTemplates();
      check(t, source.slice(0, 2000), 'warm-up');
      const mutated: Uint8Array[] = [];
      for (let i = 0; i < 30_000; i++) {
        const line = Buffer.from(source[Math.floor(rand() * source.length)]);
        const at = Math.floor(rand() * line.length);
        const what = rand();
        const c = alphabet[Math.floor(rand() * alphabet.length)];
        if (what < 0.4) line[at] = c;
        else if (what < 0.7) mutated.push(Buffer.concat([line.subarray(0, at), line.subarray(at + 1)]));
        else mutated.push(Buffer.concat([line.subarray(0, at), Buffer.from([c]), line.subarray(at)]));
        if (what < 0.4) mutated.push(line);
      }
      const matched = check(t, mutated, 'mutations');
      assert.ok(matched > 1000, `the mutations exercise the fast path (${matched} matched)`);
    },
  );
});
