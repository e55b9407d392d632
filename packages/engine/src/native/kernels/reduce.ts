/** Reductions over axes (Sum, Mean, Max, Min) and the softmax over the last axis. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.js';
import { RedOp } from '../ops.js';
import { f32, sizeOf, type KernelTable, type NativeKernel } from '../kernel.js';
import { alloc } from '../storage.js';

function reduce(op: RedOp, mean: boolean, axisAttr: string, a: NativeAddon): NativeKernel {
  return (backend, { x }, at) => {
    const xv = f32(backend, x);
    if (!xv) return null;
    const axes = tf.util.parseAxisParam(at[axisAttr] as number | number[], x.shape);
    const kept = x.shape.filter((_, d) => !axes.includes(d));
    const out = new Float32Array(sizeOf(kept));
    if (!a.reduce(op, xv, x.shape, axes, out)) return null;
    if (mean) {
      const count = xv.length / out.length;
      for (let i = 0; i < out.length; i++) out[i] /= count;
    }
    const shape = at.keepDims ? tf.backend_util.expandShapeToKeepDim(kept, axes) : kept;
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/** Softmax over the last axis (the only one tfjs's cpu kernel takes either). */
function softmax(a: NativeAddon): NativeKernel {
  return (backend, { logits }, at) => {
    const dim = Number(at.dim ?? -1);
    const rank = logits.shape.length;
    const xv = f32(backend, logits);
    if (!xv || rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
    const out = alloc(xv.length);
    a.softmax(xv, logits.shape[rank - 1], out);
    return backend.makeTensorInfo(logits.shape, 'float32', out);
  };
}

export function reduceKernels(a: NativeAddon): KernelTable {
  return {
    Sum: reduce(RedOp.SUM, false, 'axis', a),
    Mean: reduce(RedOp.SUM, true, 'axis', a),
    Max: reduce(RedOp.MAX, false, 'reductionIndices', a),
    Min: reduce(RedOp.MIN, false, 'axis', a),
    Softmax: softmax(a),
  };
}
