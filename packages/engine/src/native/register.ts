/**
 * Registers the `native` backend: every cpu kernel under the name 'native', the ones the addon
 * computes in their place (each falling back to the cpu kernel for inputs it does not take), our
 * own training kernels and the gradients that use them. The addon is loaded here, once.
 */
import * as tf from '@tensorflow/tfjs';
import { assertRegistered } from '../register.js';
import { loadAddon, threadCount, type NativeAddon } from './addon.js';
import { NATIVE_BACKEND, NativeBackend } from './backend.js';
import { gradientKernels, overrideNativeGradients } from './gradients.js';
import { cpuKernel, nativeOr, type KernelTable } from './kernel.js';
import { batchNormKernels, batchNormTrainingKernels } from './kernels/batchnorm.js';
import { convKernels } from './kernels/conv.js';
import { dataKernels } from './kernels/data.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { layoutKernels } from './kernels/layout.js';
import { matMulKernels } from './kernels/matmul.js';
import { reduceKernels } from './kernels/reduce.js';

export interface NativeRegistration {
  available: boolean;
  /** Why the backend cannot run here (null when it can). */
  reason: string | null;
  threads: number;
  blas: string | null;
  version: string | null;
}

let addon: NativeAddon | null = null;
let registration: Promise<NativeRegistration> | null = null;

/** The loaded addon, or null before a successful registerNativeBackend(). */
export function nativeAddon(): NativeAddon | null {
  return addon;
}

/** Kernels with a cpu counterpart, which runs for the inputs they do not take. */
function replacingKernels(a: NativeAddon): KernelTable {
  return {
    ...convKernels(a),
    ...matMulKernels(a),
    ...elementwiseKernels(a),
    ...dataKernels(a),
    ...reduceKernels(a),
    ...layoutKernels(a),
    ...batchNormKernels(a),
  };
}

/** Kernels of our own (no cpu counterpart): called only with inputs they take. */
function ownKernels(a: NativeAddon): KernelTable {
  return { ...batchNormTrainingKernels(a), ...gradientKernels(a) };
}

function registerKernels(a: NativeAddon): void {
  const replacing = replacingKernels(a);
  for (const config of tf.getKernelsForBackend('cpu')) {
    const body = replacing[config.kernelName];
    const kernelFunc = body ? nativeOr(cpuKernel(config.kernelName), body) : config.kernelFunc;
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND, kernelFunc });
  }
  for (const [kernelName, body] of Object.entries(ownKernels(a))) {
    const refuse: tf.KernelFunc = () => {
      throw new Error(`native kernel ${kernelName} called with inputs it does not take`);
    };
    tf.registerKernel({ kernelName, backendName: NATIVE_BACKEND, kernelFunc: nativeOr(refuse, body) });
  }
  overrideNativeGradients();
}

/**
 * Loads the addon and registers the 'native' backend. Idempotent. Never throws for a missing
 * addon: { available: false, reason } instead.
 */
export function registerNativeBackend(): Promise<NativeRegistration> {
  // Its gradients wrap the engine's (registered first), so they take precedence on native.
  assertRegistered();
  registration ??= (async () => {
    try {
      addon = loadAddon();
    } catch (err) {
      return { available: false, reason: `the native addon is not built (${(err as Error).message})`, threads: 0, blas: null, version: null };
    }
    addon.setThreads(threadCount());
    if (tf.findBackendFactory(NATIVE_BACKEND) == null) {
      // Priority 0 keeps tfjs from picking it on its own; backends.ts chooses backends.
      tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
      registerKernels(addon);
    }
    const info = addon.info();
    return { available: true, reason: null, threads: info.threads, blas: info.blas, version: info.version };
  })();
  return registration;
}

/** Names of the kernels the addon computes (the rest are the cpu backend's). */
export function nativeKernelNames(): string[] {
  return tf.getKernelsForBackend(NATIVE_BACKEND)
    .filter((k) => k.kernelFunc !== tf.getKernel(k.kernelName, 'cpu')?.kernelFunc)
    .map((k) => k.kernelName)
    .sort();
}
