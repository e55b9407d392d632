/** Which examples a split uses and in what order: fixed subsets, seeded shuffles, batch slicing. */
import { UsageError } from '../../common/errors.js';
import { Rng } from '../../common/rng.js';
import type { BatchOptions } from './types.js';

/**
 * The first `limit` examples taken round-robin over the classes, each class in file order, so a
 * subset is as class-balanced as the data allows and never depends on a seed (two runs with
 * different seeds train on the same images). Returned in ascending file order.
 */
export function balancedSubset(labels: ArrayLike<number>, numClasses: number, limit: number | undefined): Int32Array {
  const n = labels.length;
  if (limit === undefined || limit >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const queues: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < n; i++) queues[labels[i]].push(i);
  const picked: number[] = [];
  const heads = new Array<number>(numClasses).fill(0);
  while (picked.length < limit) {
    for (let c = 0; c < numClasses && picked.length < limit; c++) {
      if (heads[c] < queues[c].length) picked.push(queues[c][heads[c]++]);
    }
  }
  return Int32Array.from(picked.sort((a, b) => a - b));
}

export function checkLimit(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`${name} must be a positive whole number of images, got ${value}; pass e.g. 1000 or leave it out for the whole split`);
  }
}

export function checkBatchOptions(opts: BatchOptions): void {
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
    throw new UsageError(`batch size must be a positive whole number, got ${opts.batchSize}; pass e.g. 64`);
  }
}

/** Positions into a split's example list, shuffled by the seed when asked (same seed, same order). */
export function epochOrder(count: number, opts: BatchOptions): Int32Array {
  const order = Array.from({ length: count }, (_, i) => i);
  if (opts.shuffle) new Rng(opts.seed ?? 0).shuffle(order);
  return Int32Array.from(order);
}

/** Splits an order into batch-sized runs, dropping a short last one when asked. */
export function* batchSlices(order: Int32Array, opts: BatchOptions): Generator<Int32Array> {
  for (let start = 0; start < order.length; start += opts.batchSize) {
    const slice = order.subarray(start, Math.min(start + opts.batchSize, order.length));
    if (opts.dropLast && slice.length < opts.batchSize) return;
    yield slice;
  }
}
