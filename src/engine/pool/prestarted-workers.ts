import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** The bundled worker entry: worker.js beside the running bundle (dist/). */
export function bundledWorkerScript(): string {
  return join(__dirname, 'worker.js');
}

/**
 * Starts a pool worker. A small young generation keeps each worker's memory flat whatever the file (README,
 * Performance); its scans allocate little that lives.
 */
export function spawnWorker(script: string): Worker {
  return new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
}

/**
 * Workers started before there is a pool to run them: a worker takes tens of milliseconds to boot, and a process
 * that knows early it will need them (the CLI, from its arguments) lets them boot while it loads the rest of its
 * code. A pool adopts them (see PoolOptions.prestarted); a worker that failed to start is never handed out. This
 * module imports nothing of the engine, so importing it first costs nothing before the workers are on their way.
 */
export class PrestartedWorkers {
  private readonly waitingList: Worker[] = [];
  private readonly failed = new Set<Worker>();

  constructor(script: string, count: number) {
    for (let i = 0; i < count; i++) {
      const w = spawnWorker(script);
      // idle, they must not keep the process alive
      w.unref();
      w.once('error', () => this.failed.add(w));
      w.once('exit', () => this.failed.add(w));
      this.waitingList.push(w);
    }
  }

  /** Workers started and not taken yet. */
  get waiting(): number {
    return this.waitingList.length;
  }

  /** A started worker, or undefined when none is left. */
  take(): Worker | undefined {
    for (let w = this.waitingList.shift(); w; w = this.waitingList.shift()) if (!this.failed.has(w)) return w;
    return undefined;
  }

  /** Stops the workers nobody took. */
  async dispose(): Promise<void> {
    await Promise.all(this.waitingList.splice(0).map((w) => w.terminate()));
  }
}
