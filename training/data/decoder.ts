/**
 * Decoding off the main thread. A training step on a CPU backend runs synchronously for hundreds
 * of milliseconds, and sharp's decodes only progress while the main thread's event loop turns (it
 * starts each job and converts its pixels there), so batches decoded on the main thread were not
 * ready when the step ended: the loop waited for its data. Here one worker thread, with its own
 * event loop, decodes the queued batches while the step computes.
 */
import { Worker } from 'node:worker_threads';
import { UsageError } from '../../common/errors.js';

export interface DecodeRequest {
  id: number;
  files: string[];
  res: number;
  concurrency: number;
}

export type DecodeReply = { id: number; images: Float32Array } | { id: number; error: string };

const ENTRY = new URL('./decode-worker-entry.mjs', import.meta.url);

class Decoder {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    const w = new Worker(ENTRY);
    w.on('message', (reply: DecodeReply) => {
      const job = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) w.unref();
      if ('error' in reply) job?.reject(new UsageError(reply.error));
      else job?.resolve(reply.images);
    });
    w.on('error', (err) => {
      for (const job of this.waiting.values()) job.reject(err);
      this.waiting.clear();
      this.worker = null;
    });
    return w;
  }

  /** NHWC floats in [0,1] of `files`, each decoded and resized to res x res x 3. */
  decode(files: string[], res: number, concurrency: number): Promise<Float32Array> {
    this.worker ??= this.start();
    // referenced only while a batch is outstanding, so an idle decoder never keeps the process alive
    this.worker.ref();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker!.postMessage({ id, files, res, concurrency } satisfies DecodeRequest);
    });
  }
}

let shared: Decoder | null = null;

/** The process's decoder thread, started on first use. */
export function decoder(): Decoder {
  shared ??= new Decoder();
  return shared;
}
