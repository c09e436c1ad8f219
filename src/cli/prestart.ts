// The CLI's first import (see main.ts): the commands that read traces start their worker threads here, before the
// rest of the CLI's code is even loaded, so that the workers boot while it loads. Only the plain case is guessed from
// the raw arguments (no --workers, no --cache-dir, whose answer may need no worker at all); any other case starts
// its workers in main() as before.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { bundledWorkerScript, PrestartedWorkers } from '../engine/pool/prestarted-workers';

const TRACE_COMMANDS = ['summarize', 'events', 'compare', 'export'];

function prestart(argv: string[]): PrestartedWorkers | undefined {
  if (!TRACE_COMMANDS.includes(argv[0] ?? '')) return undefined;
  const flag = (name: string) => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (flag('workers') || flag('cache-dir') || flag('help') || argv.includes('-h')) return undefined;
  const script = bundledWorkerScript();
  return existsSync(script) ? new PrestartedWorkers(script, availableParallelism()) : undefined;
}

export const prestarted = prestart(process.argv.slice(2));
