/**
 * A small pool of worker threads, each with its own tfjs backend. tfjs's wasm backend computes
 * on one thread in Node, so independent jobs (several trainings, a teacher's forward pass beside a
 * student's step) use more cores by running in separate workers.
 *
 * A job is an exported function of a module, called with one structured-cloneable argument and
 * returning a structured-cloneable result (or a promise of one).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { EngineUsageError } from '../errors.js';
import type { BackendInfo, BackendName } from '../types.js';
import type { FromWorker, SerializedError, ToWorker } from './worker-protocol.js';

export interface WorkerPoolOptions {
  /** Number of workers; defaults to the cores this process may use. */
  size?: number;
  /** Backend every worker initialises (default 'wasm'). */
  backend?: BackendName | 'auto';
}

interface Job {
  msg: ToWorker;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Job | null;
  dead: Error | null;
}

function revive(e: SerializedError): Error {
  if (e.name === 'UsageError') return new EngineUsageError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  err.stack = e.stack || err.stack;
  return err;
}

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export class WorkerPool {
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly slots: Slot[],
    /** The backend each worker reported once it was ready. */
    readonly backends: BackendInfo[],
  ) {}

  get size(): number {
    return this.slots.length;
  }

  /** Starts the workers and waits until each has its backend ready. */
  static async create(opts: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const size = opts.size ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
    if (!Number.isInteger(size) || size < 1) throw new EngineUsageError(`worker pool size must be a whole number >= 1, got ${size}`);
    const backend = opts.backend ?? 'wasm';
    const workers = Array.from({ length: size }, () => new Worker(ENTRY, { workerData: { backend } }));
    const ready = workers.map(
      (worker) =>
        new Promise<BackendInfo>((resolve, reject) => {
          const onMessage = (msg: FromWorker) => {
            if (msg.type === 'ready') resolve(msg.info);
            else if (msg.type === 'failed') reject(revive(msg.error));
            else return;
            worker.off('message', onMessage);
            worker.off('error', reject);
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
        }),
    );
    let infos: BackendInfo[];
    try {
      infos = await Promise.all(ready);
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    const pool = new WorkerPool(workers.map((worker) => ({ worker, busy: null, dead: null })), infos);
    pool.slots.forEach((slot) => pool.listen(slot));
    return pool;
  }

  /**
   * Runs `module`'s export `exportName` with `arg` in the next free worker. `module` is a URL or
   * absolute path of a .ts/.js module (use `new URL('./file.ts', import.meta.url)`).
   */
  run<R>(module: string | URL, exportName: string, arg?: unknown): Promise<R> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    const url = module instanceof URL ? module.href : module.startsWith('file:') ? module : new URL(`file://${module}`).href;
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ msg: { id: this.nextId++, module: url, exportName, arg }, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  /** Waits for running jobs, then stops the workers. Queued jobs that have not started are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the worker pool was closed before the job started'));
    await Promise.all(
      this.slots.map(async (slot) => {
        while (slot.busy) await new Promise((r) => setTimeout(r, 10));
        await slot.worker.terminate();
      }),
    );
  }

  private listen(slot: Slot): void {
    slot.worker.on('message', (msg: FromWorker) => {
      if (msg.type !== 'result' || !slot.busy || slot.busy.msg.id !== msg.id) return;
      const job = slot.busy;
      slot.busy = null;
      if (msg.ok) job.resolve(msg.result);
      else job.reject(revive(msg.error));
      this.pump();
    });
    const die = (err: Error) => {
      if (slot.dead) return;
      slot.dead = err;
      slot.busy?.reject(new Error(`worker died while running ${slot.busy.msg.exportName}: ${err.message}`));
      slot.busy = null;
      if (this.slots.every((s) => s.dead)) for (const job of this.queue.splice(0)) job.reject(new Error('every worker of the pool has died'));
      else this.pump();
    };
    slot.worker.on('error', die);
    slot.worker.on('exit', (code) => {
      if (!this.closed) die(new Error(`worker exited with code ${code}`));
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy || slot.dead) continue;
      const job = this.queue.shift()!;
      slot.busy = job;
      slot.worker.postMessage(job.msg);
    }
  }
}
