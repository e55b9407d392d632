/**
 * The body of a pool worker: initialises its own backend (its own wasm instance), then runs jobs
 * `{ module, exportName, arg }` by importing the module and calling the export.
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { initBackend } from '../backends.js';
import { registerUsibenchKernels } from '../register.js';
import type { BackendName } from '../types.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

// A worker has a tfjs of its own: register the engine on it, and keep tfjs's console advice (the
// "install tfjs-node" banner) out of the parent's output, as the parent does.
registerUsibenchKernels(tf);
tf.enableProdMode();

const port = parentPort;
if (!port) throw new Error('worker-main.ts must run in a worker thread');

function post(msg: FromWorker): void {
  port!.postMessage(msg);
}

port.on('message', async (msg: ToWorker) => {
  try {
    const mod = (await import(msg.module)) as Record<string, unknown>;
    const fn = mod[msg.exportName];
    if (typeof fn !== 'function') throw new Error(`${msg.module} has no exported function ${msg.exportName}`);
    const result: unknown = await (fn as (arg: unknown) => unknown)(msg.arg);
    post({ type: 'result', id: msg.id, ok: true, result });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'result', id: msg.id, ok: false, error: { name: e.name, message: errorMessage(e), stack: e.stack ?? '' } });
  }
});

try {
  const info = await initBackend((workerData as { backend: BackendName | 'auto' }).backend);
  post({ type: 'ready', info });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: 'failed', error: { name: e.name, message: errorMessage(e), stack: e.stack ?? '' } });
}
