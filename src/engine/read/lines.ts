/** Called for each line (without its `\n`): bytes b[start, end), 1-based line number, offset of its first byte. */
export type LineSink = (b: Buffer, start: number, end: number, lineNo: number, offset: number) => void;

/** A line longer than this is reported as one bad line and skipped, so a binary file cannot exhaust memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Splits streamed text into lines, wherever the chunk boundaries fall. Lines inside a chunk are handed over in
 * place (no copy); only the piece of a line that straddles a boundary is copied.
 */
export async function forEachLine(
  chunks: AsyncIterable<Buffer>,
  sink: LineSink,
  onOverlong?: (lineNo: number, offset: number) => void,
): Promise<void> {
  let lineNo = 0;
  let offset = 0; // offset of the first byte of the pending piece / current chunk position
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false; // inside an overlong line, dropping bytes until its end
  for await (const chunk of chunks) {
    let p = 0;
    if (pendingBytes > 0 || skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        if (!skipping) {
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes > MAX_LINE_BYTES) {
            skipping = true;
            pending = [];
          }
        } else pendingBytes += chunk.length;
        continue;
      }
      lineNo++;
      if (skipping) {
        onOverlong?.(lineNo, offset);
        skipping = false;
      } else {
        pending.push(chunk.subarray(0, nl));
        const line = Buffer.concat(pending);
        sink(line, 0, line.length, lineNo, offset);
      }
      offset += pendingBytes + nl + 1;
      pending = [];
      pendingBytes = 0;
      p = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, p);
      if (nl < 0) break;
      lineNo++;
      sink(chunk, p, nl, lineNo, offset);
      offset += nl + 1 - p;
      p = nl + 1;
    }
    if (p < chunk.length) {
      // copy: the rest of this chunk must not keep the whole chunk alive
      pending.push(Buffer.from(chunk.subarray(p)));
      pendingBytes = chunk.length - p;
    }
  }
  if (skipping) onOverlong?.(lineNo + 1, offset);
  else if (pendingBytes > 0) {
    const line = Buffer.concat(pending);
    sink(line, 0, line.length, lineNo + 1, offset);
  }
}

/**
 * Splits text handed over in pieces of a reused buffer into lines: a line inside a piece goes to `sink` in place,
 * a line across pieces as a joined copy. `sink` gets the bytes and the offset of the line's first byte in the text.
 * The text after the last newline stays pending (see `rest`); past `maxLine` bytes it is dropped and `overlong` set.
 */
export class PieceLines {
  overlong = false;
  private carry: Buffer | undefined;
  private carryAt = 0;
  private offset = 0; // of the current piece in the text

  constructor(
    private readonly sink: (b: Buffer, start: number, end: number, offset: number) => void,
    private readonly maxLine = Infinity,
  ) {}

  push(text: Buffer): void {
    if (this.overlong) return;
    let p = 0;
    if (this.carry !== undefined) {
      const nl = text.indexOf(10);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, text]);
        this.overlong = this.carry.length > this.maxLine;
        this.offset += text.length;
        return;
      }
      const line = Buffer.concat([this.carry, text.subarray(0, nl)]);
      this.carry = undefined;
      this.sink(line, 0, line.length, this.carryAt);
      p = nl + 1;
    }
    for (;;) {
      const nl = text.indexOf(10, p);
      if (nl < 0) break;
      this.sink(text, p, nl, this.offset + p);
      p = nl + 1;
    }
    // a copy: the piece's buffer is reused for the next piece
    if (p < text.length) {
      this.carry = Buffer.from(text.subarray(p));
      this.carryAt = this.offset + p;
    }
    this.offset += text.length;
  }

  /** The text after the last newline (empty when the text ended with one), and where it starts. */
  rest(): { text: Buffer; offset: number } {
    return this.carry === undefined
      ? { text: Buffer.alloc(0), offset: this.offset }
      : { text: this.carry, offset: this.carryAt };
  }
}
