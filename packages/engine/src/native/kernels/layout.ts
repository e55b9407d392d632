/** Kernels that move elements without arithmetic: Tile, Transpose, SplitV and Concat. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.js';
import { aroundAxis, contiguousStrides, f32, listInputs, sizeOf, typed, values, type KernelTable, type NativeKernel } from '../kernel.js';
import { alloc, allocOf, type PlainDtype } from '../storage.js';

function tile(a: NativeAddon): NativeKernel {
  return (backend, { x }, at) => {
    const reps = at.reps as number[];
    if (x.shape.length === 0 || reps.length !== x.shape.length) return null;
    const shape = x.shape.map((d, i) => d * reps[i]);
    const xv = values(backend, x);
    if (xv) {
      const out = alloc(sizeOf(shape));
      if (!a.tile(xv, x.shape, reps, out)) return null;
      return backend.makeTensorInfo(shape, 'float32', out);
    }
    // int32 and bool (tf.broadcastTo of a mask is a Tile): a strided copy over [rep, dim] pairs,
    // the rep walking the output in steps of a whole input extent and the input not at all
    const tv = typed(backend, x);
    if (!tv || sizeOf(shape) === 0) return null;
    const out = allocOf(x.dtype as PlainDtype, sizeOf(shape));
    const xs = contiguousStrides(x.shape), os = contiguousStrides(shape);
    a.stridedCopy(tv, out, x.shape.flatMap((d, i) => [reps[i], d]), 0, xs.flatMap((s) => [0, s]), 0,
      os.flatMap((s, i) => [s * x.shape[i], s]));
    return backend.makeTensorInfo(shape, x.dtype, out);
  };
}

function transpose(a: NativeAddon): NativeKernel {
  return (backend, { x }, at) => {
    const perm = at.perm as number[];
    const xv = f32(backend, x);
    if (!xv || x.shape.length === 0) return null;
    const out = alloc(xv.length);
    if (!a.transpose(xv, x.shape, perm, out)) return null;
    return backend.makeTensorInfo(perm.map((d) => x.shape[d]), 'float32', out);
  };
}

function splitV(a: NativeAddon): NativeKernel {
  return (backend, { x }, at) => {
    const xv = f32(backend, x);
    if (!xv || x.shape.length === 0) return null;
    const axis = tf.util.parseAxisParam(at.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, at.numOrSizeSplits as number | number[], axis);
    const { outer, inner } = aroundAxis(x.shape, axis);
    const total = x.shape[axis] * inner;
    let begin = 0;
    return sizes.map((size) => {
      const shape = x.shape.slice();
      shape[axis] = size;
      const out = alloc(sizeOf(shape));
      a.copyRows(xv, out, [begin * inner, total, 0, size * inner, outer, size * inner]);
      begin += size;
      return backend.makeTensorInfo(shape, 'float32', out);
    });
  };
}

function concat(a: NativeAddon): NativeKernel {
  return (backend, inputs, at) => {
    const { ts, vs } = listInputs(backend, inputs);
    if (ts.length < 2 || vs.some((v) => !v || v.length === 0) || ts[0].shape.length === 0) return null;
    const axis = tf.util.parseAxisParam(at.axis as number, ts[0].shape)[0];
    const shapes = ts.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const outShape = tf.backend_util.computeOutShape(shapes, axis);
    const { outer, inner } = aroundAxis(outShape, axis);
    const total = outShape[axis] * inner;
    const out = alloc(sizeOf(outShape));
    let begin = 0;
    ts.forEach((t, i) => {
      const len = t.shape[axis] * inner;
      a.copyRows(vs[i]!, out, [0, len, begin, total, outer, len]);
      begin += len;
    });
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

export function layoutKernels(a: NativeAddon): KernelTable {
  return { Tile: tile(a), Transpose: transpose(a), SplitV: splitV(a), Concat: concat(a) };
}
