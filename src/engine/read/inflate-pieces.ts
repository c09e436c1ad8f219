import * as zlib from 'node:zlib';

/** The result of inflating one raw deflate stream. */
export interface InflatedStream {
  /** Compressed bytes the stream took (its end, when `ended`). */
  consumed: number;
  /** The stream reached its end; false when the input ran out first (a cut member). */
  ended: boolean;
  /** CRC-32 and length of the text, for the gzip trailer. */
  crc: number;
  size: number;
}

/** The parts of a Node zlib stream that run one synchronous inflate call (what zlib.inflateRawSync uses). */
export interface SyncHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  onerror: (message: string, errno: number, code?: string) => void;
}
interface StreamInternals {
  _handle?: SyncHandle;
  _writeState?: Uint32Array;
}

/**
 * Inflates a raw deflate stream synchronously, handing its text to `onPiece` one output buffer at a time. The
 * buffer is reused: a piece is valid only during the call.
 *
 * Node's public synchronous API (inflateRawSync) returns the whole text of a stream at once: for a 16 MiB gzip
 * member that is a fresh 16 MiB buffer per member, which is slow (page faults, the text out of cache by the time it
 * is scanned) and what made each worker's memory grow. Node has no public synchronous call that inflates piece by
 * piece, so this drives the zlib handle the way inflateRawSync itself does, through `writeSync`; where a Node
 * version lacks it, it falls back to inflateRawSync and hands over the whole text as one piece.
 */
export function inflateRawPieces(
  input: Uint8Array,
  out: Buffer,
  onPiece: (piece: Buffer) => void,
): InflatedStream {
  const stream = zlib.createInflateRaw() as unknown as zlib.InflateRaw & StreamInternals;
  const handle = stream._handle;
  const state = stream._writeState;
  if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) {
    stream.close();
    return inflateWhole(input, onPiece);
  }
  let error: Error | undefined;
  // zlib reports a failed call through this callback, synchronously, before writeSync returns
  handle.onerror = (message: string) => {
    error = new Error(message);
  };
  try {
    let inOff = 0;
    let inLen = input.length;
    let crc = 0;
    let size = 0;
    for (;;) {
      // Z_SYNC_FLUSH, not Z_FINISH: input that ends before the stream does is then a normal return we can see
      // (the stream did not end), not an error that would drop the text of this call
      handle.writeSync(zlib.constants.Z_SYNC_FLUSH, input, inOff, inLen, out, 0, out.length);
      if (error) throw error;
      const availOut = state[0];
      const availIn = state[1];
      inOff += inLen - availIn;
      inLen = availIn;
      const have = out.length - availOut;
      if (have > 0) {
        const piece = out.subarray(0, have);
        crc = zlib.crc32(piece, crc);
        size += have;
        onPiece(piece);
      }
      if (availOut > 0) {
        // output to spare: either the stream ended (input left over) or the input ran out mid-stream
        return { consumed: inOff, ended: availIn > 0 || endsExactly(input, inOff), crc, size };
      }
    }
  } finally {
    stream.close();
  }
}

/**
 * Whether a stream that used up all its input had ended: only inflateRawSync can tell (it fails on a cut stream).
 * Rare (a member with nothing after it, not even its trailer), so checked the slow way.
 */
function endsExactly(input: Uint8Array, length: number): boolean {
  try {
    zlib.inflateRawSync(input.subarray(0, length));
    return true;
  } catch {
    return false;
  }
}

function inflateWhole(input: Uint8Array, onPiece: (piece: Buffer) => void): InflatedStream {
  const r = zlib.inflateRawSync(input, { info: true }) as unknown as {
    buffer: Buffer;
    engine: { bytesWritten: number };
  };
  onPiece(r.buffer);
  return { consumed: r.engine.bytesWritten, ended: true, crc: zlib.crc32(r.buffer), size: r.buffer.length };
}
