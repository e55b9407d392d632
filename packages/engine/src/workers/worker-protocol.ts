/** Messages between a WorkerPool and its workers. */
import type { BackendInfo } from '../types.js';

export interface SerializedError {
  name: string;
  message: string;
  stack: string;
}

export interface ToWorker {
  id: number;
  /** A file: URL (or anything `import()` takes) of the module holding the job function. */
  module: string;
  exportName: string;
  arg: unknown;
}

export type FromWorker =
  | { type: 'ready'; info: BackendInfo }
  | { type: 'failed'; error: SerializedError }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError };
