/** Jobs for src/workers/workers.test.ts, run inside pool workers. */
import * as tf from '@tensorflow/tfjs';
import { threadId } from 'node:worker_threads';
import { EngineUsageError } from '../src/errors.js';

/** A matrix product on the worker's backend, with where it ran. */
export async function matmulJob(arg: { a: number[]; b: number[]; n: number; holdMs: number }) {
  const c = tf.tidy(() => tf.matMul(tf.tensor2d(arg.a, [arg.n, arg.n]), tf.tensor2d(arg.b, [arg.n, arg.n])));
  const values = Array.from(await c.data());
  c.dispose();
  // Hold the worker so that two concurrent jobs must land on two different workers.
  await new Promise((r) => setTimeout(r, arg.holdMs));
  return { values, threadId, backend: tf.getBackend() };
}

export function failJob(kind: 'usage' | 'plain'): never {
  if (kind === 'usage') throw new EngineUsageError('bad job input; fix it');
  throw new RangeError('boom');
}
