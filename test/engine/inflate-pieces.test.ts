// The synchronous piece-by-piece inflater drives zlib's handle directly, so it is checked against zlib's own
// answers: the same text, where the stream ends, and what a cut or corrupt stream does.
import { strict as assert } from 'node:assert';
import * as zlib from 'node:zlib';
import { inflateRawPieces } from '../../src/engine/read/inflate-pieces';
import { rng } from '../../src/synth/random';

function text(bytes: number, seed = 1): Buffer {
  const rand = rng(seed);
  const words = ['read', 'write', '{"id":', '"ts":', '/p/lustre/file', '\n', '1234567', 'fhash'];
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const w = words[Math.floor(rand() * words.length)] + Math.floor(rand() * 1000);
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

function inflate(input: Buffer, pieceBytes: number) {
  const pieces: Buffer[] = [];
  const r = inflateRawPieces(input, Buffer.alloc(pieceBytes), (p) => pieces.push(Buffer.from(p)));
  return { ...r, text: Buffer.concat(pieces), pieces: pieces.length };
}

describe('inflating in pieces', () => {
  for (const size of [0, 1, 1000, 300_000, 2_000_000]) {
    it(`gives zlib's text, its CRC and where the stream ends (${size} bytes)`, () => {
      const plain = text(size, size);
      const deflated = zlib.deflateRawSync(plain);
      const trailer = Buffer.from('TRAILER!');
      const r = inflate(Buffer.concat([deflated, trailer]), 64 * 1024);
      assert.ok(r.text.equals(plain));
      assert.equal(r.size, plain.length);
      assert.equal(r.crc >>> 0, zlib.crc32(plain) >>> 0);
      assert.equal(r.consumed, deflated.length, 'stops at the end of the stream, before what follows');
      assert.equal(r.ended, true);
      if (size >= 300_000) assert.ok(r.pieces > 2, 'the text comes in pieces, not at once');
    });
  }

  it('knows a stream that fills its input exactly has ended', () => {
    const plain = text(100_000);
    const deflated = zlib.deflateRawSync(plain);
    const r = inflate(deflated, 4096);
    assert.equal(r.ended, true);
    assert.ok(r.text.equals(plain));
  });

  it('hands over the text before a cut and says the stream did not end', () => {
    const plain = text(1_000_000);
    const deflated = zlib.deflateRawSync(plain);
    const r = inflate(deflated.subarray(0, deflated.length >> 1), 32 * 1024);
    assert.equal(r.ended, false);
    assert.ok(r.text.length > plain.length / 4, 'most of the text before the cut');
    assert.ok(plain.subarray(0, r.text.length).equals(r.text));
  });

  it('throws on corrupt data', () => {
    const deflated = Buffer.from(zlib.deflateRawSync(text(200_000)));
    deflated.fill(0xff, 100, 400);
    assert.throws(() => inflate(deflated, 16 * 1024));
  });
});
