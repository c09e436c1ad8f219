import { tableFromArrays, tableToIPC } from 'apache-arrow';

export type Column = Float64Array | Int32Array | Uint32Array | string[];

/** Columns -> Arrow IPC stream bytes: typed arrays are copied as they are, strings become dictionaries. */
export function toArrowIpc(columns: Record<string, Column>): Uint8Array {
  const table = tableFromArrays(columns as Parameters<typeof tableFromArrays>[0]);
  return tableToIPC(table, 'stream');
}
