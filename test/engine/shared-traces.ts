import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The real traces committed by the tracer's authors; CI has ../shared beside the checkout. */
export const TRACES = resolve(__dirname, '../../../shared/traces');

export function haveSharedTraces(): boolean {
  return existsSync(join(TRACES, 'README.md'));
}

export function traceFolder(name: string): string {
  return join(TRACES, name);
}

export function traceFiles(name: string): string[] {
  const dir = traceFolder(name);
  return readdirSync(dir)
    .filter((f) => /\.pfw(\.gz)?$/.test(f))
    .map((f) => join(dir, f));
}
