/**
 * The one call that changes tfjs: registerUsibenchKernels(tf) adds the engine's kernels to the wasm
 * backend, puts its gradients in place (gradients.ts: none on the cpu backend) and lets
 * tfjs-layers' BatchNormalization train through one kernel pair where a backend has it. The
 * native backend registers itself with its kernels when it is first probed, after this call.
 * Nothing is changed by importing the engine.
 */

import * as tf from '@tensorflow/tfjs';
import { enableFusedBatchNormTraining } from './batchnorm-train.js';
import { registerGradients } from './gradients.js';
import { registerWasmKernels } from './wasm/register.js';

let registered = false;

/** Registers the engine's kernels and gradients on `tfjs` (the caller's copy); idempotent. */
export function registerUsibenchKernels(tfjs: typeof tf): void {
  // Kernels and gradients live in tfjs-core's global registry: a second copy of tfjs-core (two
  // installed versions) would keep a registry of its own that this engine never sees.
  if (tfjs.engine() !== tf.engine()) {
    throw new Error(`registerUsibenchKernels: the tfjs passed (core ${tfjs.version_core}) is not the copy the engine uses (core ${tf.version_core}); install one @tensorflow/tfjs`);
  }
  if (registered) return;
  registered = true;
  registerWasmKernels();
  registerGradients();
  enableFusedBatchNormTraining();
}

export function assertRegistered(): void {
  if (!registered) throw new Error('call registerUsibenchKernels(tf) before choosing a backend: without it the wasm and native backends cannot train');
}
