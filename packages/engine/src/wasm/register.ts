/**
 * Registers what the wasm backend needs to train every roster model: the missing gradient
 * kernels, faster replacements for slow shipped ones, a correct MaxPoolGrad and the training-mode
 * batch norm pair. Kernels only: the wasm backend's own, no other backend's.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilter, conv2dBackpropInput } from './conv.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './depthwise.js';
import { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from '../batchnorm-train.js';
import { batchNormTrain, batchNormTrainGrad, fusedBatchNorm } from './batchnorm.js';
import { batchMatMul } from './matmul.js';
import { maxPoolGrad } from './pool.js';
import { cast, identity, meanOverBlock, sumOverBlock, tile } from './reduce.js';
import { unsortedSegmentSum } from './segment.js';
import { conv2d, conv2dBackpropFilter as winogradFilterGrad, fusedConv2d } from './winograd.js';

let registered = false;

/** Replaces (or adds) a wasm kernel, keeping the shipped one's setup so its own kernelFunc still works. */
function setWasmKernel(kernelName: string, make: (original: tf.KernelConfig | undefined) => tf.KernelFunc): void {
  const original = tf.getKernel(kernelName, 'wasm');
  // registerKernel warns when a name is taken; replace quietly.
  if (original) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    setupFunc: original?.setupFunc,
    disposeFunc: original?.disposeFunc,
    kernelFunc: make(original),
  });
}

function required(config: tf.KernelConfig | undefined, name: string): tf.KernelConfig {
  if (!config) throw new Error(`the wasm backend has no ${name} kernel to wrap`);
  return config;
}

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  setWasmKernel(tf.Conv2D, (orig) => conv2d(required(orig, tf.Conv2D).kernelFunc));
  setWasmKernel(tf.FusedConv2D, (orig) => fusedConv2d(required(orig, tf.FusedConv2D).kernelFunc));
  setWasmKernel(tf.Conv2DBackpropInput, (orig) => conv2dBackpropInput(orig?.kernelFunc ?? null));
  setWasmKernel(tf.Conv2DBackpropFilter, () => winogradFilterGrad(conv2dBackpropFilter));
  setWasmKernel(tf.DepthwiseConv2dNativeBackpropInput, () => depthwiseBackpropInput);
  setWasmKernel(tf.DepthwiseConv2dNativeBackpropFilter, () => depthwiseBackpropFilter);
  setWasmKernel(tf.UnsortedSegmentSum, () => unsortedSegmentSum);
  setWasmKernel(tf.MaxPoolGrad, () => maxPoolGrad);
  setWasmKernel(tf.BatchMatMul, (orig) => batchMatMul(required(orig, tf.BatchMatMul).kernelFunc));
  setWasmKernel(tf.Sum, (orig) => sumOverBlock(required(orig, tf.Sum).kernelFunc));
  setWasmKernel(tf.Mean, (orig) => meanOverBlock(required(orig, tf.Mean).kernelFunc));
  setWasmKernel(tf.Identity, () => identity);
  setWasmKernel(tf.Cast, (orig) => cast(required(orig, tf.Cast).kernelFunc));
  setWasmKernel(tf.Tile, (orig) => tile(required(orig, tf.Tile).kernelFunc));
  setWasmKernel(tf.FusedBatchNorm, (orig) => fusedBatchNorm(required(orig, tf.FusedBatchNorm).kernelFunc));
  setWasmKernel(BN_TRAIN_KERNEL, () => batchNormTrain);
  setWasmKernel(BN_TRAIN_GRAD_KERNEL, () => batchNormTrainGrad);
}
