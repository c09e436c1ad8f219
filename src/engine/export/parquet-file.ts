import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ColumnSource, ParquetWriter, SchemaElement, Writer } from 'hyparquet-writer' with {
  'resolution-mode': 'import',
};
import type { EventRowGroup } from './event-rows';

/** Bumped when a column is added, renamed or changes meaning (stored in each file's key-value metadata). */
export const EXPORT_FORMAT_VERSION = 1;

type Col = keyof Omit<EventRowGroup, 'length'> | 'trace_file';

/** The columns, in order, with their Parquet types: what DuckDB, pandas, Dask and Spark see. */
const COLUMNS: { name: Col; type: 'INT64' | 'STRING'; required: boolean }[] = [
  { name: 'trace_file', type: 'STRING', required: true },
  { name: 'line', type: 'INT64', required: true },
  { name: 'pid', type: 'INT64', required: false },
  { name: 'tid', type: 'INT64', required: false },
  { name: 'hostname', type: 'STRING', required: false },
  { name: 'ts', type: 'INT64', required: false },
  { name: 'dur', type: 'INT64', required: false },
  { name: 'cat', type: 'STRING', required: false },
  { name: 'name', type: 'STRING', required: false },
  { name: 'file', type: 'STRING', required: true },
  { name: 'bytes', type: 'INT64', required: true },
  { name: 'offset', type: 'INT64', required: false },
  { name: 'ret', type: 'INT64', required: false },
  { name: 'level', type: 'INT64', required: false },
  { name: 'p_idx', type: 'INT64', required: false },
];

export const EXPORT_COLUMNS: readonly string[] = COLUMNS.map((c) => c.name);

const SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: COLUMNS.length },
  ...COLUMNS.map((c): SchemaElement => ({
    name: c.name,
    repetition_type: c.required ? 'REQUIRED' : 'OPTIONAL',
    ...(c.type === 'STRING'
      ? {
          type: 'BYTE_ARRAY' as const,
          converted_type: 'UTF8' as const,
          logical_type: { type: 'STRING' as const },
        }
      : { type: 'INT64' as const }),
  })),
];

/** The writer's plain INT64 encoder takes bigints only. */
function toBigInts(values: (number | bigint | null)[]): (bigint | null)[] {
  const out = new Array<bigint | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null ? null : typeof v === 'bigint' ? v : BigInt(v);
  }
  return out;
}

/** Where a file being written lives until it is complete: hidden, and not named `*.parquet`. */
export function temporaryName(finalPath: string, tag: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${tag}.partial`);
}

type Hyparquet = typeof import('hyparquet-writer', { with: { 'resolution-mode': 'import' } });
let hyparquet: Promise<Hyparquet> | undefined;
/** The writer is an ES module; this package is CommonJS (VS Code loads extensions so): loaded on first use. */
function loadHyparquet(): Promise<Hyparquet> {
  return (hyparquet ??= import('hyparquet-writer'));
}

/** Hyparquet's buffered writer, to one file descriptor: each row group goes to disk as it is encoded. */
function fdWriter(hp: Hyparquet, path: string): Writer & { close(): void } {
  const fd = openSync(path, 'w');
  const w = new hp.ByteWriter(1 << 20);
  const ensure = w.ensure.bind(w);
  const flush = () => {
    if (w.index > 0) writeSync(fd, new Uint8Array(w.buffer, 0, w.index));
    w.index = 0;
  };
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return Object.assign(w, {
    ensure(size: number) {
      if (w.index > 1 << 20) flush();
      ensure(size);
    },
    finish() {
      flush();
      close();
    },
    close,
  });
}

/**
 * One trace file's events as a Parquet file, a row group at a time. It is written under a temporary name and renamed
 * to `finalPath` only by finish(), so an export stopped half way (cancelled, killed, out of space) never leaves a
 * file that looks complete.
 */
export class EventParquetFile {
  rows = 0;

  private constructor(
    readonly finalPath: string,
    readonly temporary: string,
    private readonly traceFile: string,
    private readonly writer: Writer & { close(): void },
    private readonly parquet: ParquetWriter,
  ) {}

  static async create(
    finalPath: string,
    traceFile: string,
    tag: string,
    meta: Record<string, string>,
  ): Promise<EventParquetFile> {
    const hp = await loadHyparquet();
    const temporary = temporaryName(finalPath, tag);
    const writer = fdWriter(hp, temporary);
    const parquet = new hp.ParquetWriter({
      writer,
      schema: SCHEMA,
      createdBy: 'dftrace (hyparquet-writer)',
      kvMetadata: Object.entries({
        ...meta,
        'dftrace.export.version': String(EXPORT_FORMAT_VERSION),
        'dftrace.trace_file': traceFile,
      }).map(([key, value]) => ({ key, value })),
    });
    return new EventParquetFile(finalPath, temporary, traceFile, writer, parquet);
  }

  write(g: EventRowGroup): void {
    const columnData: ColumnSource[] = COLUMNS.map((c) => ({
      name: c.name,
      data:
        c.name === 'trace_file'
          ? new Array<string>(g.length).fill(this.traceFile)
          : c.type === 'INT64'
            ? toBigInts(g[c.name] as (number | bigint | null)[])
            : g[c.name],
      nullable: !c.required,
      // min/max of the numbers let readers skip row groups (a time window, a pid); those of strings cost most of
      // the writer's time and are truncated anyway
      statistics: c.type === 'INT64',
    }));
    void this.parquet.write({ columnData, rowGroupSize: g.length });
    this.rows += g.length;
  }

  /** Writes the footer and gives the file its final name. */
  finish(): void {
    void this.parquet.finish();
    renameSync(this.temporary, this.finalPath);
  }

  /** Gives up: the temporary file is removed. */
  abandon(): void {
    try {
      this.writer.close();
    } catch {
      // already closed
    }
    rmSync(this.temporary, { force: true });
  }
}
