/** How the summary contract counts the bytes of an I/O call (FORMAT.md, "Bytes of an I/O call"). */
export const enum BytesRule {
  None = 0,
  Ret = 1,
  RetTimesSize = 2,
}

export const enum IoKind {
  Other = 0,
  Read = 1,
  Write = 2,
}

const RET_READS = ['read', 'pread', 'pread64', 'readv', 'preadv', 'preadv2'];
const RET_WRITES = ['write', 'pwrite', 'pwrite64', 'writev', 'pwritev', 'pwritev2'];

export function bytesRule(op: string): BytesRule {
  if (RET_READS.includes(op) || RET_WRITES.includes(op)) return BytesRule.Ret;
  if (op === 'fread' || op === 'fwrite') return BytesRule.RetTimesSize;
  return BytesRule.None;
}

export function ioKind(op: string): IoKind {
  if (RET_WRITES.includes(op) || op === 'fwrite') return IoKind.Write;
  if (RET_READS.includes(op) || op === 'fread') return IoKind.Read;
  return IoKind.Other;
}

/** Bytes moved by one call, per the contract: `ret` when positive, `ret * size` for fread/fwrite, else 0. */
export function callBytes(rule: BytesRule, ret: number, size: number): number {
  if (!(ret > 0)) return 0;
  if (rule === BytesRule.Ret) return ret;
  if (rule === BytesRule.RetTimesSize) return size > 0 ? ret * size : 0;
  return 0;
}

export function isIoCategory(cat: string): boolean {
  return cat === 'POSIX' || cat === 'STDIO';
}

export function isWriteOp(op: string): boolean {
  return ioKind(op) === IoKind.Write;
}
