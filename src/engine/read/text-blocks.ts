import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as zlib from 'node:zlib';
import type { SyncHandle } from './inflate-pieces';
import { MAX_LINE_BYTES } from './lines';
import { parseGzipHeader, type ReadStatus } from './trace-bytes';

/** Where the blocks of text go: to other threads (`take` gives the next buffer) or scanned where they are. */
export interface BlockSink {
  /**
   * A buffer for the next block, at least `minBytes` long, when the current one can be handed over; undefined when
   * enough blocks are in flight already, and the current block is to be scanned here (then its buffer is reused).
   */
  take(minBytes: number): Uint8Array | undefined;
  /** Hands block [0, length) of `buf` over; `buf` is not touched here afterwards. */
  send(buf: Uint8Array, length: number, textOffset: number): void;
  /** Scans block [0, length) of `buf` in place, before `buf` is refilled. */
  scanHere(buf: Uint8Array, length: number, textOffset: number): void;
}

/**
 * Reads a trace file's text into line-aligned blocks, synchronously (a worker thread's job): one-member gzip (every
 * tracer before v1.0.15) can only be inflated from its start, by one thread, so that thread inflates straight into
 * the block buffers (no copy but a line's tail at each cut) while other threads scan the blocks it hands over.
 *
 * The fast path for intact files only: returns false as soon as anything is wrong (a cut, corrupt or CRC-failing
 * member, bytes after a member that are not one); the caller then reads the file with readTraceBytes, which keeps
 * everything before the damage and reports it exactly. Blocks handed over before that are the caller's to drop.
 */
export function readTextBlocksSync(
  path: string,
  status: ReadStatus,
  blockBytes: number,
  sink: BlockSink,
): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    status.compressedBytes = size;
    const out = new BlockWriter(blockBytes, sink);
    const head = Buffer.alloc(3);
    const n = readSync(fd, head, 0, 3, 0);
    status.compressed = n === 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8;
    let ok: boolean;
    if (status.compressed) ok = inflateMembers(fd, size, status, out);
    else {
      if (/\.gz$/i.test(path) && size > 0)
        status.problems.push('named .gz but is not gzip: read as plain text');
      ok = readPlain(fd, size, status, out);
    }
    if (ok) out.end();
    return ok;
  } finally {
    closeSync(fd);
  }
}

/** Fills block buffers and cuts them after their last newline. */
class BlockWriter {
  buf: Uint8Array;
  fill = 0;
  /** Text offset of buf[0]. */
  private offset = 0;

  constructor(
    private readonly blockBytes: number,
    private readonly sink: BlockSink,
  ) {
    this.buf = sink.take(blockBytes) ?? new Uint8Array(blockBytes);
  }

  /** Called when buf is full: hands over the whole lines it holds and keeps the unfinished one. */
  full(): void {
    const buf = this.buf;
    let cut = buf.lastIndexOf(10, this.fill - 1) + 1;
    if (cut === 0) {
      // one line longer than a block: let the block grow until the line ends (or is absurdly long)
      if (this.fill < MAX_LINE_BYTES) {
        const grown = new Uint8Array(Math.min(buf.length * 2, MAX_LINE_BYTES));
        grown.set(buf.subarray(0, this.fill));
        this.buf = grown;
        return;
      }
      cut = this.fill;
    }
    this.hand(cut);
  }

  end(): void {
    if (this.fill > 0) this.hand(this.fill);
  }

  private hand(cut: number): void {
    const buf = this.buf;
    const rest = this.fill - cut;
    const next = this.sink.take(Math.max(this.blockBytes, rest + 1));
    if (next) {
      next.set(buf.subarray(cut, this.fill));
      this.sink.send(buf, cut, this.offset);
      this.buf = next;
    } else {
      this.sink.scanHere(buf, cut, this.offset);
      buf.copyWithin(0, cut, this.fill);
      if (this.buf.length > this.blockBytes && rest < this.blockBytes)
        this.buf = buf.slice(0, this.blockBytes);
    }
    this.offset += cut;
    this.fill = rest;
  }
}

const READ_CHUNK = 1 << 20;

function readPlain(fd: number, size: number, status: ReadStatus, out: BlockWriter): boolean {
  let pos = 0;
  while (pos < size) {
    if (out.fill === out.buf.length) out.full();
    const n = readSync(fd, out.buf, out.fill, Math.min(out.buf.length - out.fill, size - pos), pos);
    if (n === 0) break;
    pos += n;
    out.fill += n;
    status.compressedDone = pos;
    status.uncompressedBytes += n;
  }
  return true;
}

function inflateMembers(fd: number, size: number, status: ReadStatus, out: BlockWriter): boolean {
  const input = Buffer.allocUnsafe(READ_CHUNK);
  let pos = 0;
  while (pos < size) {
    const headBytes = readSync(fd, input, 0, Math.min(64 * 1024, size - pos), pos);
    const hl = parseGzipHeader(input, 0, headBytes);
    if (hl < 0) return false;
    const stream = zlib.createInflateRaw() as unknown as {
      _handle?: SyncHandle;
      _writeState?: Uint32Array;
      close(): void;
    };
    const handle = stream._handle;
    const state = stream._writeState;
    if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array)) {
      stream.close();
      return false;
    }
    let error = false;
    handle.onerror = () => void (error = true);
    let crc = 0;
    let length = 0;
    // input[inOff, inOff + inLen) holds the compressed bytes from file offset `at`
    let at = pos + hl;
    let inOff = 0;
    let inLen = 0;
    let ended = false;
    try {
      for (;;) {
        if (inLen === 0) {
          if (at >= size) break; // cut: the stream wants more than the file has
          inLen = readSync(fd, input, 0, Math.min(READ_CHUNK, size - at), at);
          inOff = 0;
          if (inLen === 0) break;
        }
        if (out.fill === out.buf.length) out.full();
        const room = out.buf.length - out.fill;
        handle.writeSync(zlib.constants.Z_SYNC_FLUSH, input, inOff, inLen, out.buf, out.fill, room);
        if (error) return false;
        const availOut = state[0];
        const availIn = state[1];
        const used = inLen - availIn;
        const have = room - availOut;
        if (have > 0) {
          crc = zlib.crc32(out.buf.subarray(out.fill, out.fill + have), crc);
          out.fill += have;
          length += have;
          status.uncompressedBytes += have;
        }
        inOff += used;
        inLen = availIn;
        at += used;
        status.compressedDone = at;
        // room left and input left: the deflate stream has ended; neither used nor made anything: it had ended
        if ((availOut > 0 && availIn > 0) || (used === 0 && have === 0)) {
          ended = true;
          break;
        }
      }
    } finally {
      stream.close();
    }
    if (!ended || at + 8 > size) return false;
    const trailer = Buffer.alloc(8);
    if (readSync(fd, trailer, 0, 8, at) < 8) return false;
    if (trailer.readUInt32LE(0) !== crc >>> 0 || trailer.readUInt32LE(4) !== length % 2 ** 32) return false;
    status.members++;
    pos = at + 8;
    status.compressedDone = pos;
  }
  return true;
}
