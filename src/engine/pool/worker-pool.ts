import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import type { TraceFileSummary } from '../model/types';
import { scanTraceFile, type RangeScan } from '../summary/scan-file';
import { queryTraceEvents, type EventColumns, type EventQuery } from '../store/event-columns';
import { readTimelineColumns, type TimelineColumns, type TimelineReadOptions } from '../timeline/columns';
import { AbortedError } from '../read/trace-bytes';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { BlockScan, BlocksRead, FromWorker, ToWorker, WorkerScanOptions } from './worker-protocol';
import { exportTraceFile, type ExportFileResult, type ExportFileTask } from '../export/export-file';
import { bundledWorkerScript, spawnWorker, type PrestartedWorkers } from './prestarted-workers';

export interface PoolOptions {
  /** Number of worker threads; 0 runs everything on the calling thread. Default: the machine's cores. */
  size?: number;
  /** The bundled worker entry (dist/worker.js). Default: worker.js beside the running bundle. */
  workerScript?: string;
  /** Workers already booting (of the same script), taken before any is started here. */
  prestarted?: PrestartedWorkers;
}

export interface TaskHooks {
  signal?: AbortSignal;
  /** On-disk bytes read, events scanned, and (where known) bytes of text read so far. */
  onProgress?: (bytesDone: number, events: number, textDone?: number) => void;
}

/** A block a `readBlocks` task produced (see ToWorker). */
export type TextBlock = Extract<FromWorker, { type: 'textBlock' }>;

type Reply =
  TraceFileSummary | EventColumns | BlockScan | RangeScan | BlocksRead | TimelineColumns | ExportFileResult;

type Pending = {
  msg: ToWorker;
  hooks: TaskHooks;
  resolve: (v: Reply) => void;
  reject: (e: Error) => void;
  onAbort?: () => void;
  onBlock?: (b: TextBlock) => void;
};

interface Slot {
  worker: Worker;
  task?: Pending;
  /** Big-file sessions this worker holds state for. */
  sessions: Set<number>;
  /**
   * Sessions whose file this worker read (readBlocks): it scanned some of their blocks itself, and a part's blocks
   * must be scanned in file order (equal slowest calls, first examples), so their other blocks go elsewhere.
   */
  reading: Set<number>;
}

interface FinishingSession {
  replies: Promise<TraceFileSummary | null>[];
  onPart?: (part: TraceFileSummary) => void;
  resolve: (parts: TraceFileSummary[]) => void;
  reject: (e: Error) => void;
}

function sessionOf(msg: ToWorker): number | undefined {
  return msg.type === 'scanBlock' || msg.type === 'scanRange' || msg.type === 'readBlocks'
    ? msg.session
    : undefined;
}

interface DirectRequest {
  slot: Slot;
  resolve: (v: TraceFileSummary | null) => void;
  reject: (e: Error) => void;
}

/**
 * Runs engine tasks (one trace file each) on worker threads. A cancelled task's worker is terminated at once, which
 * frees its memory however far the file was read; a fresh worker takes its place when work is next queued.
 */
export class WorkerPool {
  readonly size: number;
  private readonly script: string;
  private readonly prestarted?: PrestartedWorkers;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly direct = new Map<number, DirectRequest>();
  /** Sessions whose parts are being collected (see finishSession). */
  private readonly finishing = new Map<number, FinishingSession>();
  /** Sessions whose state died with a worker: finishing them must fail, not return a partial summary. */
  private readonly lostSessions = new Set<number>();
  private nextId = 1;
  private nextSession = 1;
  private disposed = false;

  constructor(opts: PoolOptions = {}) {
    this.script = opts.workerScript ?? bundledWorkerScript();
    const wanted = opts.size ?? availableParallelism();
    // without a built worker (running from sources), work stays on this thread
    this.size = existsSync(this.script) ? Math.max(0, wanted) : 0;
    this.prestarted = opts.prestarted;
  }

  scan(path: string, options: WorkerScanOptions, hooks: TaskHooks = {}): Promise<TraceFileSummary> {
    if (this.size === 0) return scanTraceFile(path, { ...options, ...hooks });
    return this.submit(
      { type: 'scan', id: this.nextId++, path, options },
      hooks,
    ) as Promise<TraceFileSummary>;
  }

  /**
   * Starts up to `count` workers now (idle ones do not keep the process alive): a worker takes tens of
   * milliseconds to boot, which can then overlap with the caller's own preparation (stat, finding gzip members).
   */
  warm(count = this.size): void {
    if (this.disposed) return;
    while (this.slots.length < Math.min(count, this.size)) this.spawn().worker.unref();
  }

  /** A new id for the blocks of one big file that several workers scan together. */
  newSession(): number {
    return this.nextSession++;
  }

  /**
   * Scans the whole lines block[0, length) of a big file on whichever worker is free; returns the block's line and
   * event counts, and its buffer. The block's memory moves to the worker and back (unusable here meanwhile).
   * Needs workers (size > 0).
   */
  scanBlock(
    session: number,
    blockIndex: number,
    offset: number,
    block: Uint8Array,
    options: WorkerScanOptions,
    hooks: TaskHooks = {},
    length = block.length,
  ): Promise<BlockScan> {
    if (this.size === 0) return Promise.reject(new Error('scanning in blocks needs worker threads'));
    const msg: ToWorker = {
      type: 'scanBlock',
      id: this.nextId++,
      session,
      blockIndex,
      offset,
      block,
      length,
      options,
    };
    return this.submit(msg, hooks) as Promise<BlockScan>;
  }

  /**
   * Reads (inflates) a whole file into blocks of whole lines on one worker, which hands each block to `onBlock`
   * (to be scanned with scanBlock on the other workers, then given back with `giveBack`) or, when `maxAhead`
   * blocks are out, scans it itself. Part of a session like scanBlock. Needs workers (size > 0).
   */
  readBlocks(
    session: number,
    path: string,
    blockBytes: number,
    maxAhead: number,
    options: WorkerScanOptions,
    onBlock: (b: TextBlock) => void,
    hooks: TaskHooks = {},
  ): { done: Promise<BlocksRead>; giveBack: (block: Uint8Array | null) => void; close: () => void } {
    const { port1, port2 } = new MessageChannel();
    const msg: ToWorker = {
      type: 'readBlocks',
      id: this.nextId++,
      session,
      path,
      blockBytes,
      maxAhead,
      port: port2,
      options,
    };
    const done =
      this.size === 0
        ? Promise.reject(new Error('reading in blocks needs worker threads'))
        : (this.submit(msg, hooks, onBlock) as Promise<BlocksRead>);
    return {
      done,
      giveBack: (block) => port1.postMessage(block, block ? [block.buffer as ArrayBuffer] : []),
      close: () => port1.close(),
    };
  }

  /** Inflates and scans the gzip members in [from, to) of a file on whichever worker is free (a session's block). */
  scanRange(
    session: number,
    blockIndex: number,
    path: string,
    from: number,
    to: number,
    first: boolean,
    options: WorkerScanOptions,
    hooks: TaskHooks = {},
  ): Promise<RangeScan> {
    if (this.size === 0) return Promise.reject(new Error('scanning in ranges needs worker threads'));
    const msg: ToWorker = {
      type: 'scanRange',
      id: this.nextId++,
      session,
      blockIndex,
      path,
      from,
      to,
      first,
      options,
    };
    return this.submit(msg, hooks) as Promise<RangeScan>;
  }

  /**
   * The session's partial summaries, one per worker that holds part of it. Each worker is asked as soon as it has
   * no more of the session's work, so the first to run out sends its part while the others still scan. Call it
   * once every task of the session has been submitted (they need not have finished).
   */
  finishSession(session: number, onPart?: (part: TraceFileSummary) => void): Promise<TraceFileSummary[]> {
    return new Promise((resolve, reject) => {
      this.finishing.set(session, { replies: [], onPart, resolve, reject });
      this.advanceFinishing();
    });
  }

  /** Asks each worker holding a finishing session for its part once none of that session's work is left for it. */
  private advanceFinishing(): void {
    for (const [session, entry] of this.finishing) {
      if (this.lostSessions.delete(session)) {
        this.finishing.delete(session);
        entry.reject(new Error('a worker scanning this file stopped'));
        continue;
      }
      if (this.queue.some((t) => sessionOf(t.msg) === session)) continue;
      let busy = false;
      for (const slot of this.slots) {
        if (!slot.sessions.has(session)) continue;
        if (slot.task && sessionOf(slot.task.msg) === session) {
          busy = true;
          continue;
        }
        slot.sessions.delete(session);
        slot.reading.delete(session);
        const reply = new Promise<TraceFileSummary | null>((resolve, reject) => {
          const id = this.nextId++;
          this.direct.set(id, { resolve, reject, slot });
          slot.worker.ref(); // the caller awaits this reply
          slot.worker.postMessage({ type: 'finishSession', id, session } satisfies ToWorker);
        });
        // handed over as it comes (the caller merges it while other workers still scan); its failure fails all
        const onPart = entry.onPart;
        entry.replies.push(
          reply.then((part) => {
            if (part && onPart) onPart(part);
            return part;
          }),
        );
      }
      if (busy) continue;
      this.finishing.delete(session);
      Promise.all(entry.replies).then(
        (parts) => entry.resolve(parts.filter((p): p is TraceFileSummary => p !== null)),
        entry.reject,
      );
    }
  }

  /** Forgets a session everywhere (after a cancel or a failure). */
  dropSession(session: number): void {
    const finishing = this.finishing.get(session);
    if (finishing) {
      this.finishing.delete(session);
      finishing.reject(new Error('the scan of this file was dropped'));
    }
    for (const slot of this.slots) {
      slot.reading.delete(session);
      if (slot.sessions.delete(session))
        slot.worker.postMessage({ type: 'dropSession', session } satisfies ToWorker);
    }
  }

  events(path: string, query: EventQuery, hooks: TaskHooks = {}): Promise<EventColumns> {
    if (this.size === 0) return queryTraceEvents(path, query, hooks.signal);
    return this.submit({ type: 'events', id: this.nextId++, path, query }, hooks) as Promise<EventColumns>;
  }

  timeline(
    path: string,
    trace: number,
    options: Omit<TimelineReadOptions, 'signal'>,
    hooks: TaskHooks = {},
  ): Promise<TimelineColumns> {
    if (this.size === 0) return readTimelineColumns(path, trace, { ...options, signal: hooks.signal });
    return this.submit(
      { type: 'timeline', id: this.nextId++, path, trace, options },
      hooks,
    ) as Promise<TimelineColumns>;
  }

  /** Writes one trace file's events as Parquet (see exportTraceFile); cancelling terminates the worker. */
  export(task: ExportFileTask, hooks: TaskHooks = {}): Promise<ExportFileResult> {
    if (this.size === 0) return exportTraceFile(task, hooks);
    return this.submit({ type: 'export', id: this.nextId++, task }, hooks) as Promise<ExportFileResult>;
  }

  /** Terminates every worker; queued and running tasks fail as cancelled. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const p of this.queue.splice(0)) p.reject(new AbortedError());
    await Promise.all([
      ...this.slots.splice(0).map((s) => {
        s.task?.reject(new AbortedError());
        return s.worker.terminate();
      }),
      this.prestarted?.dispose(),
    ]);
  }

  private submit(msg: ToWorker, hooks: TaskHooks, onBlock?: (b: TextBlock) => void): Promise<Reply> {
    if (this.disposed) return Promise.reject(new Error('worker pool is disposed'));
    if (hooks.signal?.aborted) return Promise.reject(new AbortedError());
    return new Promise((resolve, reject) => {
      const task: Pending = { msg, hooks, resolve, reject, onBlock };
      if (hooks.signal) {
        task.onAbort = () => this.abort(task);
        hooks.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.pump();
    });
  }

  private pump(): void {
    for (let q = 0; q < this.queue.length;) {
      const task = this.queue[q];
      const block = task.msg.type === 'scanBlock' ? task.msg.session : undefined;
      let slot = this.slots.find((s) => !s.task && (block === undefined || !s.reading.has(block)));
      if (!slot) {
        if (this.slots.length < this.size) slot = this.spawn();
        else if (this.slots.some((s) => !s.task)) {
          q++; // a free worker that may not take this block: a later task may suit it
          continue;
        } else return;
      }
      this.queue.splice(q, 1);
      slot.task = task;
      const session = sessionOf(task.msg);
      if (session !== undefined) slot.sessions.add(session);
      if (task.msg.type === 'readBlocks') slot.reading.add(task.msg.session);
      // a busy worker keeps the process alive (the CLI awaits it); an idle one must not
      slot.worker.ref();
      slot.worker.postMessage(task.msg, transferOf(task.msg));
    }
  }

  private spawn(): Slot {
    const worker = this.prestarted?.take() ?? spawnWorker(this.script);
    const slot: Slot = { worker, sessions: new Set(), reading: new Set() };
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (e) => this.onExit(slot, e));
    worker.on('exit', (code) => this.onExit(slot, new Error(`worker stopped (exit code ${code})`)));
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'sessionFinished') {
      const req = this.direct.get(m.id);
      this.direct.delete(m.id);
      if (!slot.task) slot.worker.unref();
      if (req && 'ok' in m.result) req.resolve(m.result.ok);
      else if (req && 'err' in m.result) req.reject(new Error(m.result.err));
      return;
    }
    const task = slot.task;
    if (!task || !('id' in task.msg) || task.msg.id !== m.id) return;
    switch (m.type) {
      case 'progress':
        task.hooks.onProgress?.(m.bytesDone, m.events);
        return;
      case 'textBlock':
        task.onBlock?.(m);
        return;
      case 'scanned':
      case 'events':
      case 'timeline':
      case 'exported':
      case 'blockScanned':
      case 'rangeScanned':
      case 'blocksRead':
        this.settle(slot, task);
        if ('ok' in m.result) task.resolve(m.result.ok);
        else task.reject(new Error(m.result.err));
        this.pump();
        if (this.finishing.size > 0) this.advanceFinishing();
        return;
      default: {
        const never: never = m;
        throw new Error(`unexpected worker message ${JSON.stringify(never)}`);
      }
    }
  }

  private settle(slot: Slot, task: Pending): void {
    slot.task = undefined;
    slot.worker.unref();
    if (task.onAbort) task.hooks.signal?.removeEventListener('abort', task.onAbort);
  }

  private onExit(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    for (const session of slot.sessions) this.lostSessions.add(session);
    for (const [id, req] of this.direct) {
      if (req.slot === slot) {
        this.direct.delete(id);
        req.reject(err);
      }
    }
    const task = slot.task;
    if (task) {
      this.settle(slot, task);
      task.reject(err);
    }
    this.pump();
    if (this.finishing.size > 0) this.advanceFinishing();
  }

  private abort(task: Pending): void {
    const q = this.queue.indexOf(task);
    if (q >= 0) this.queue.splice(q, 1);
    const slot = this.slots.find((s) => s.task === task);
    if (slot) {
      this.slots.splice(this.slots.indexOf(slot), 1);
      for (const session of slot.sessions) this.lostSessions.add(session);
      void slot.worker.terminate();
    }
    task.reject(new AbortedError());
    this.pump();
    if (this.finishing.size > 0) this.advanceFinishing();
  }
}

/** What a message to a worker moves rather than copies. */
function transferOf(msg: ToWorker): (ArrayBuffer | MessagePort)[] {
  if (msg.type === 'scanBlock') return [msg.block.buffer as ArrayBuffer];
  if (msg.type === 'readBlocks') return [msg.port];
  return [];
}
