/**
 * usibench's one door to @usibench/engine. Importing it registers the engine's kernels and
 * gradients on the tfjs that usibench computes with, once per thread, before any backend is
 * chosen; every product module that picks a backend imports from here.
 */
import * as tf from '@tensorflow/tfjs';
import { registerUsibenchKernels } from '@usibench/engine';

registerUsibenchKernels(tf);
// Production mode silences tfjs's console advice (the "install tfjs-node" banner, printed once per
// thread, which would garble our progress bars and --json output); it turns off no shape checks.
tf.enableProdMode();

export {
  BACKEND_ORDER,
  availableBackends,
  currentBackendInfo,
  initBackend,
  nativeAddon,
  WorkerPool,
  type BackendInfo,
  type BackendName,
} from '@usibench/engine';
