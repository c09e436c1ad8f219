import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { inflateRawPieces } from './inflate-pieces';

/** What reading one trace file's bytes found, filled in while the text streams out. */
export interface ReadStatus {
  compressed: boolean;
  /** gzip members decoded (v1.0.15+ writes one per 16 MiB of text). */
  members: number;
  compressedBytes: number;
  /** Compressed (on-disk) bytes consumed so far: the progress measure. */
  compressedDone: number;
  uncompressedBytes: number;
  /** The text ends early: a cut or corrupt gzip member. Everything decoded before it was delivered. */
  truncated: boolean;
  /** Human-readable notes: why it is truncated, CRC mismatches, a `.gz` name on plain text, ... */
  problems: string[];
}

export function newReadStatus(): ReadStatus {
  return {
    compressed: false,
    members: 0,
    compressedBytes: 0,
    compressedDone: 0,
    uncompressedBytes: 0,
    truncated: false,
    problems: [],
  };
}

const READ_CHUNK = 1 << 20;
/** Ends the line a damaged member left unfinished, so it cannot swallow the next member's first line. */
const NEWLINE = Buffer.from('\n');
// Output chunk of the inflater: large enough to keep per-chunk overhead low, small enough that the text lost
// when a member turns out corrupt mid-way (zlib drops the output of the failing call) is a few lines at most.
const INFLATE_CHUNK = 256 * 1024;
const MAX_QUEUED = 32;

export class AbortedError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}

/**
 * Streams the text of a `.pfw` or `.pfw.gz` file as Buffers, deciding gzip by its magic bytes rather than its name.
 * Gzip members are decoded one by one (not with zlib's own multi-member gunzip) because that is the only way to
 * keep every line decoded before a corrupt member, to know where each member ends, and to resynchronise on the
 * next intact member after a corrupt one instead of losing the rest of the file.
 */
export async function* readTraceBytes(
  path: string,
  status: ReadStatus,
  signal?: AbortSignal,
  startAt = 0,
): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    status.compressedBytes = size;
    const head = Buffer.alloc(3);
    const { bytesRead } = await fh.read(head, 0, 3, 0);
    status.compressed = bytesRead === 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8;
    if (!status.compressed) {
      if (/\.gz$/i.test(path) && size > 0)
        status.problems.push('named .gz but is not gzip: read as plain text');
      yield* readPlain(fh, size, status, signal, startAt);
      return;
    }
    yield* readGzipMembers(fh, size, status, signal);
  } finally {
    await fh.close();
  }
}

async function* readPlain(
  fh: FileHandle,
  size: number,
  status: ReadStatus,
  signal: AbortSignal | undefined,
  startAt: number,
): AsyncGenerator<Buffer> {
  let pos = startAt;
  while (pos < size) {
    throwIfAborted(signal);
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - pos));
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    status.compressedDone = pos;
    status.uncompressedBytes += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}

/** Length of the gzip member header at `pos`, or -1 when the bytes there are not a valid header. */
async function gzipHeaderLength(fh: FileHandle, pos: number, size: number): Promise<number> {
  const buf = Buffer.alloc(Math.min(64 * 1024, size - pos));
  const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
  return parseGzipHeader(buf, 0, bytesRead);
}

/** Length of the gzip member header at buf[p], or -1 when the bytes there (up to `limit`) are not one. */
export function parseGzipHeader(buf: Buffer, p0: number, limit: number): number {
  if (limit - p0 < 10 || buf[p0] !== 0x1f || buf[p0 + 1] !== 0x8b || buf[p0 + 2] !== 8) return -1;
  const flags = buf[p0 + 3];
  if (flags & 0xe0) return -1;
  let p = p0 + 10;
  if (flags & 4) {
    if (p + 2 > limit) return -1;
    p += 2 + buf.readUInt16LE(p);
  }
  for (const bit of [8, 16]) {
    if (flags & bit) {
      const z = buf.indexOf(0, p);
      if (z < 0 || z >= limit) return -1;
      p = z + 1;
    }
  }
  if (flags & 2) p += 2;
  return p <= limit ? p - p0 : -1;
}

interface MemberResult {
  consumed: number;
  outBytes: number;
  crc: number;
  error?: Error;
}

/**
 * Inflates one raw-deflate stream starting at `start`. zlib stops at the end of the deflate stream by itself, and
 * `bytesWritten` then says exactly how much input it consumed, which locates the trailer and the next member.
 */
async function* inflateMember(
  fh: FileHandle,
  start: number,
  size: number,
  result: MemberResult,
  signal: AbortSignal | undefined,
  status: ReadStatus,
): AsyncGenerator<Buffer> {
  const inflater = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK });
  const queue: Buffer[] = [];
  let finished = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  inflater.on('data', (d: Buffer) => {
    queue.push(d);
    if (queue.length >= MAX_QUEUED) inflater.pause();
    notify();
  });
  inflater.on('end', () => {
    finished = true;
    notify();
  });
  inflater.on('error', (e: Error) => {
    result.error = e;
    finished = true;
    notify();
  });
  let feeding = true;
  const feed = async () => {
    let pos = start;
    while (feeding && pos < size) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0 || !feeding) break;
      pos += bytesRead;
      status.compressedDone = pos;
      if (!inflater.write(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            inflater.off('drain', done);
            inflater.off('close', done);
            resolve();
          };
          inflater.on('drain', done);
          inflater.on('close', done);
        });
      }
    }
    if (feeding) inflater.end();
  };
  const feeder = feed().catch((e: Error) => {
    result.error ??= e;
    finished = true;
    notify();
  });
  try {
    for (;;) {
      throwIfAborted(signal);
      const chunk = queue.shift();
      if (chunk) {
        if (queue.length < MAX_QUEUED / 2 && inflater.isPaused()) inflater.resume();
        result.outBytes += chunk.length;
        result.crc = zlib.crc32(chunk, result.crc);
        yield chunk;
        continue;
      }
      if (finished) break;
      if (inflater.isPaused()) inflater.resume();
      await new Promise<void>((resolve) => (wake = resolve));
    }
    result.consumed = inflater.bytesWritten;
  } finally {
    feeding = false;
    inflater.destroy();
    await feeder;
  }
}

async function* readGzipMembers(
  fh: FileHandle,
  size: number,
  status: ReadStatus,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  let pos = 0;
  // Last byte handed out. After a damaged member, the line it left unfinished is ended here, so that it cannot
  // swallow the first line of the member the reader resumes at.
  let last = 10;
  while (pos < size) {
    const headerLen = await gzipHeaderLength(fh, pos, size);
    if (headerLen < 0) {
      if (await onlyZeros(fh, pos, size)) return; // padding some file systems leave after a crash
      const next = await findNextMember(fh, pos + 1, size);
      status.problems.push(
        `${next < 0 ? size - pos : next - pos} bytes at offset ${pos} are not a gzip member` +
          (next < 0 ? '' : `; resumed at the next member (offset ${next})`),
      );
      status.truncated = true;
      if (next < 0) return;
      if (last !== 10) yield NEWLINE;
      last = 10;
      pos = next;
      continue;
    }
    const result: MemberResult = { consumed: 0, outBytes: 0, crc: 0 };
    for await (const chunk of inflateMember(fh, pos + headerLen, size, result, signal, status)) {
      status.uncompressedBytes += chunk.length;
      if (chunk.length > 0) last = chunk[chunk.length - 1];
      yield chunk;
    }
    status.members++;
    const memberNo = status.members;
    if (result.error) {
      status.truncated = true;
      const eof = /unexpected end of file/i.test(result.error.message);
      if (eof) {
        status.problems.push(`gzip member ${memberNo} is cut short (the process did not finish writing it)`);
        return;
      }
      const next = await findNextMember(fh, pos + headerLen + 1, size);
      status.problems.push(
        `gzip member ${memberNo} at offset ${pos} is corrupt (${result.error.message})` +
          (next < 0 ? '; nothing readable after it' : `; resumed at the next member (offset ${next})`),
      );
      if (next < 0) return;
      if (last !== 10) yield NEWLINE;
      last = 10;
      pos = next;
      continue;
    }
    const trailerAt = pos + headerLen + result.consumed;
    const trailer = Buffer.alloc(8);
    const { bytesRead } = await fh.read(trailer, 0, 8, trailerAt);
    if (bytesRead < 8) {
      status.truncated = true;
      status.problems.push(`gzip member ${memberNo} has no complete trailer (file cut after its data)`);
      return;
    }
    if (
      trailer.readUInt32LE(0) !== result.crc >>> 0 ||
      trailer.readUInt32LE(4) !== result.outBytes % 2 ** 32
    ) {
      status.problems.push(`gzip member ${memberNo} fails its CRC/size check: its text may be damaged`);
    }
    pos = trailerAt + 8;
  }
}

async function onlyZeros(fh: FileHandle, pos: number, size: number): Promise<boolean> {
  const buf = Buffer.alloc(64 * 1024);
  while (pos < size) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) break;
    for (let i = 0; i < bytesRead; i++) if (buf[i] !== 0) return false;
    pos += bytesRead;
  }
  return true;
}

/** Offset of the next position at or after `from` where a gzip member decodes cleanly for a while, or -1. */
async function findNextMember(fh: FileHandle, from: number, size: number): Promise<number> {
  const buf = Buffer.alloc(READ_CHUNK + 2);
  let pos = from;
  while (pos < size) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead < 3) return -1;
    for (let i = buf.indexOf(0x1f, 0); i >= 0 && i + 2 < bytesRead; i = buf.indexOf(0x1f, i + 1)) {
      if (buf[i + 1] === 0x8b && buf[i + 2] === 8 && (await decodesCleanly(fh, pos + i, size)))
        return pos + i;
    }
    if (pos + bytesRead >= size) return -1;
    pos += bytesRead - 2;
  }
  return -1;
}

async function decodesCleanly(
  fh: FileHandle,
  at: number,
  size: number,
  probeBytes = 256 * 1024,
): Promise<boolean> {
  const headerLen = await gzipHeaderLength(fh, at, size);
  if (headerLen < 0) return false;
  const probe = Buffer.alloc(Math.min(probeBytes, size - at - headerLen));
  const { bytesRead } = await fh.read(probe, 0, probe.length, at + headerLen);
  try {
    // Z_SYNC_FLUSH as finishFlush: a probe that ends mid-stream is fine, only invalid data throws
    zlib.inflateRawSync(probe.subarray(0, bytesRead), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    return true;
  } catch {
    return false;
  }
}

/** The fixed first three bytes of a gzip member: magic and the deflate method. */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

/**
 * Where the gzip members of a file start (v1.0.15+ writes one per 16 MiB of text), so that several workers can each
 * inflate some of them. Candidates are gzip headers that decode cleanly for a while; a false one (a header-like
 * byte run inside compressed data) only makes a worker's range end mid-member, which that worker reports as a
 * problem, and the caller then reads the file in one pass instead. Returns [] for a file that is not gzip.
 */
export async function findGzipMembers(
  path: string,
  signal?: AbortSignal,
  /** Told of each start as soon as it is found, so work on the first members can begin meanwhile. */
  onStart?: (start: number) => void,
): Promise<number[]> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if ((await gzipHeaderLength(fh, 0, size)) < 0) return [];
    const starts = [0];
    onStart?.(0);
    const buf = Buffer.alloc(READ_CHUNK + 2);
    let pos = 1;
    while (pos < size) {
      throwIfAborted(signal);
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      // a header needs 4 bytes; the last 3 of a chunk are read again with the next one
      if (bytesRead <= 3) break;
      // the three fixed bytes of a header in one native search (0x1f alone occurs every 256 bytes or so)
      for (
        let i = buf.indexOf(GZIP_MAGIC, 0);
        i >= 0 && i + 3 < bytesRead;
        i = buf.indexOf(GZIP_MAGIC, i + 1)
      ) {
        if (buf[i + 3] & 0xe0) continue;
        if (await decodesCleanly(fh, pos + i, size, 16 * 1024)) {
          starts.push(pos + i);
          onStart?.(pos + i);
        }
      }
      if (pos + bytesRead >= size) break;
      pos += bytesRead - 3;
    }
    return starts;
  } finally {
    await fh.close();
  }
}

/** The most compressed bytes a worker inflates in one go (members are 16 MiB of text, ~1-2 MiB compressed). */
export const MAX_SYNC_RANGE = 64 * 1024 * 1024;

/**
 * Inflates the whole gzip members in [from, to) of a file synchronously, handing their text to `onText` in pieces
 * (a reused buffer: valid only during the call): a worker thread may block, and without the stream machinery a
 * member inflates at the gunzip floor. Any damage (a cut, corrupt, CRC-failing or not-gzip member) ends the range
 * with a problem in `status`; text before the damage has been handed over.
 */
export function inflateRangeSync(
  path: string,
  from: number,
  to: number,
  status: ReadStatus,
  onText: (text: Buffer) => void,
): void {
  const fd = openSync(path, 'r');
  let buf: Buffer;
  try {
    buf = Buffer.allocUnsafe(to - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    buf = buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
  status.compressed = true;
  status.compressedBytes = buf.length;
  const onPiece = (piece: Buffer) => {
    status.uncompressedBytes += piece.length;
    onText(piece);
  };
  let pos = 0;
  while (pos < buf.length) {
    const hl = parseGzipHeader(buf, pos, buf.length);
    if (hl < 0) {
      status.truncated = true;
      status.problems.push(`bytes at offset ${from + pos} are not a gzip member`);
      return;
    }
    let member;
    try {
      member = inflateRawPieces(buf.subarray(pos + hl), pieceBuffer(), onPiece);
    } catch (e) {
      status.truncated = true;
      status.problems.push(`gzip member at offset ${from + pos}: ${(e as Error).message}`);
      return;
    }
    const trailer = pos + hl + member.consumed;
    if (!member.ended || trailer + 8 > buf.length) {
      status.truncated = true;
      status.problems.push(`gzip member at offset ${from + pos} has no complete trailer`);
      return;
    }
    if (
      buf.readUInt32LE(trailer) !== member.crc >>> 0 ||
      buf.readUInt32LE(trailer + 4) !== member.size % 2 ** 32
    ) {
      status.problems.push(`gzip member at offset ${from + pos} fails its CRC/size check`);
    }
    status.members++;
    pos = trailer + 8;
    status.compressedDone = pos;
  }
}

/** Text is inflated into one buffer per thread, scanned while it is still in cache, and overwritten. */
const PIECE_BYTES = 128 * 1024;
let pieces: Buffer | undefined;
function pieceBuffer(): Buffer {
  return (pieces ??= Buffer.allocUnsafe(PIECE_BYTES));
}
