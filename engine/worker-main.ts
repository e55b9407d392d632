/**
 * The body of a pool worker: initialises its own backend (its own wasm instance), then runs jobs
 * `{ module, exportName, arg }` by importing the module and calling the export.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../common/errors.js';
import { initBackend, type BackendName } from './index.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('engine/worker-main.ts must run in a worker thread');

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
