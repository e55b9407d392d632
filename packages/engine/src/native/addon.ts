/**
 * Loading the C++ addon (@usibench/engine-native, this package's native/ folder). It is an
 * optional dependency: a machine without a compiler or BLAS at install time has none, and the
 * native backend then reports itself unavailable with the loader's reason.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import type * as Addon from '../../native/index.js';

export type NativeAddon = typeof Addon;

export function loadAddon(): NativeAddon {
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  // The installed optional dependency first, then the source tree (a checkout built with
  // `npm run build:native` but not linked into node_modules).
  for (const spec of ['@usibench/engine-native', '../../native/index.js']) {
    try {
      return require(spec) as NativeAddon;
    } catch (err) {
      errors.push(`${spec}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(errors.join('; '));
}

/** Threads the addon computes with: env USIBENCH_NATIVE_THREADS, else every core. */
export function threadCount(): number {
  const env = Number(process.env.USIBENCH_NATIVE_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return os.availableParallelism();
}
