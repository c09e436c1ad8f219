import { open, type FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';

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
  if (bytesRead < 10 || buf[0] !== 0x1f || buf[1] !== 0x8b || buf[2] !== 8) return -1;
  const flags = buf[3];
  if (flags & 0xe0) return -1;
  let p = 10;
  if (flags & 4) {
    if (p + 2 > bytesRead) return -1;
    p += 2 + buf.readUInt16LE(p);
  }
  for (const bit of [8, 16]) {
    if (flags & bit) {
      const z = buf.indexOf(0, p);
      if (z < 0 || z >= bytesRead) return -1;
      p = z + 1;
    }
  }
  if (flags & 2) p += 2;
  return p <= bytesRead ? p : -1;
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
      if (last !== 10) {
        last = 10;
        yield Buffer.from('\n');
      }
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
      if (last !== 10) {
        last = 10;
        yield Buffer.from('\n');
      }
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
    pos += bytesRead - 2;
  }
  return -1;
}

async function decodesCleanly(fh: FileHandle, at: number, size: number): Promise<boolean> {
  const headerLen = await gzipHeaderLength(fh, at, size);
  if (headerLen < 0) return false;
  const probe = Buffer.alloc(Math.min(256 * 1024, size - at - headerLen));
  const { bytesRead } = await fh.read(probe, 0, probe.length, at + headerLen);
  try {
    // Z_SYNC_FLUSH as finishFlush: a probe that ends mid-stream is fine, only invalid data throws
    zlib.inflateRawSync(probe.subarray(0, bytesRead), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    return true;
  } catch {
    return false;
  }
}
