/**
 * Data movement, comparisons, indexing and image kernels: what augmentation (crop, RandAugment,
 * mixup/cutmix), the loss and indexing run on every training step besides arithmetic.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon.js';
import { CmpOpByTfjs, FillModeByTfjs } from '../ops.js';
import { aroundAxis, broadcastStrides, contiguousStrides, sizeOf, typed, values, type KernelTable, type TensorInfo } from '../kernel.js';
import { DTYPE_ARRAY, alloc, allocOf, type PlainDtype } from '../storage.js';

export function dataKernels(a: NativeAddon): KernelTable {
  const table: KernelTable = {};
  /** out = x walked from `offset` with `strides` over `shape` (Slice, Reverse). */
  const walk = (backend: MathBackendCPU, x: TensorInfo, shape: number[], offset: number, strides: number[]) => {
    const xv = typed(backend, x);
    if (!xv || sizeOf(shape) === 0) return null;
    const out = allocOf(x.dtype as PlainDtype, sizeOf(shape));
    a.stridedCopy(xv, out, shape, offset, strides, 0, contiguousStrides(shape));
    return backend.makeTensorInfo(shape, x.dtype, out);
  };

  table.Slice = (backend, { x }, at) => {
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, at.begin as number[], at.size as number[]);
    const strides = contiguousStrides(x.shape);
    return walk(backend, x, size, begin.reduce((acc, b, d) => acc + b * strides[d], 0), strides);
  };

  table.Reverse = (backend, { x }, at) => {
    if (x.shape.length === 0) return null;
    const axes = tf.util.parseAxisParam(at.dims as number | number[], x.shape);
    const strides = contiguousStrides(x.shape);
    const offset = axes.reduce((acc, d) => acc + (x.shape[d] - 1) * strides[d], 0);
    return walk(backend, x, x.shape, offset, strides.map((s, d) => (axes.includes(d) ? -s : s)));
  };

  table.PadV2 = (backend, { x }, at) => {
    const paddings = at.paddings as Array<[number, number]>;
    const xv = typed(backend, x);
    if (!xv || xv.length === 0 || x.shape.length === 0) return null;
    const shape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
    const out = allocOf(x.dtype as PlainDtype, sizeOf(shape));
    a.fillRange(out, Number(at.constantValue ?? 0), 0);
    const strides = contiguousStrides(shape);
    a.stridedCopy(xv, out, x.shape, 0, contiguousStrides(x.shape), paddings.reduce((acc, [before], d) => acc + before * strides[d], 0), strides);
    return backend.makeTensorInfo(shape, x.dtype, out);
  };

  table.Range = (backend, _inputs, at) => {
    const start = Number(at.start), stop = Number(at.stop), dtype = at.dtype as PlainDtype;
    let step = Number(at.step);
    if (dtype !== 'float32' && dtype !== 'int32') return null;
    // tfjs's rangeImpl: these give an empty range, and a falling range with step 1 counts down
    if (start === stop || (start < stop && step < 0) || (stop < start && step > 1)) return backend.makeTensorInfo([0], dtype, allocOf(dtype, 0));
    const n = Math.abs(Math.ceil((stop - start) / step));
    if (stop < start && step === 1) step = -1;
    const out = allocOf(dtype, n);
    a.fillRange(out, start, step);
    return backend.makeTensorInfo([n], dtype, out);
  };

  for (const [name, value] of [['ZerosLike', 0], ['OnesLike', 1]] as const) {
    table[name] = (backend, { x }) => {
      if (!(x.dtype in DTYPE_ARRAY)) return null;
      const out = allocOf(x.dtype as PlainDtype, sizeOf(x.shape));
      a.fillRange(out, value, 0);
      return backend.makeTensorInfo(x.shape, x.dtype, out);
    };
  }

  table.Cast = (backend, { x }, at) => {
    const dtype = at.dtype as PlainDtype;
    const xv = typed(backend, x);
    if (!xv || !(dtype in DTYPE_ARRAY)) return null;
    if (dtype === x.dtype) {
      // same dtype: the same storage under a new tensor, as tfjs's Identity does
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype };
    }
    const out = allocOf(dtype, xv.length);
    a.cast(xv, out);
    return backend.makeTensorInfo(x.shape, dtype, out);
  };

  for (const { tfjs, code } of CmpOpByTfjs) {
    table[tfjs] = (backend, { a: A, b: B }) => {
      const av = typed(backend, A), bv = typed(backend, B);
      if (!av || !bv || A.dtype !== B.dtype) return null;
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(A.shape, B.shape);
      const out = new Uint8Array(sizeOf(shape));
      if (!a.compare(code, av, broadcastStrides(A.shape, shape), bv, broadcastStrides(B.shape, shape), out, shape)) return null;
      return backend.makeTensorInfo(shape, 'bool', out);
    };
  }

  table.Select = (backend, { condition, t, e }) => {
    const cv = typed(backend, condition), tv = typed(backend, t), ev = typed(backend, e);
    if (!(cv instanceof Uint8Array) || !tv || !ev || t.dtype !== e.dtype || t.dtype === 'bool' || tv.length === 0) return null;
    // one condition per element (tf.where broadcasts it so); tfjs's kernels index a per-row
    // condition's t and e by row, which the cpu kernel keeps doing
    if (cv.length !== tv.length) return null;
    const out = allocOf(t.dtype as PlainDtype, tv.length);
    a.select(cv, 1, tv as Float32Array | Int32Array, ev as Float32Array | Int32Array, out as Float32Array | Int32Array);
    return backend.makeTensorInfo(t.shape, t.dtype, out);
  };

  table.GatherV2 = (backend, { x, indices }, at) => {
    const xv = typed(backend, x), iv = typed(backend, indices);
    if (!xv || x.dtype === 'bool' || !(iv instanceof Int32Array) || Number(at.batchDims ?? 0) !== 0 || x.shape.length === 0) return null;
    const axis = tf.util.parseAxisParam(at.axis as number, x.shape)[0];
    const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const { outer, inner } = aroundAxis(x.shape, axis);
    const out = allocOf(x.dtype as PlainDtype, sizeOf(shape));
    // false: an index out of range, which the cpu kernel reports
    if (!a.gather(xv as Float32Array | Int32Array, [outer, x.shape[axis], inner], iv, out as Float32Array | Int32Array)) return null;
    return backend.makeTensorInfo(shape, x.dtype, out);
  };

  table.OneHot = (backend, { indices }, at) => {
    const iv = typed(backend, indices), dtype = (at.dtype ?? 'int32') as PlainDtype;
    const depth = Number(at.depth);
    if (!(iv instanceof Int32Array) || (dtype !== 'float32' && dtype !== 'int32') || !(depth > 0)) return null;
    const shape = [...indices.shape, depth];
    const out = allocOf(dtype, sizeOf(shape));
    a.oneHot(iv, depth, Number(at.onValue ?? 1), Number(at.offValue ?? 0), out as Float32Array | Int32Array);
    return backend.makeTensorInfo(shape, dtype, out);
  };

  table.Cumsum = (backend, { x }, at) => {
    const xv = values(backend, x);
    if (!xv || xv.length === 0 || x.shape.length === 0) return null;
    const axis = tf.util.parseAxisParam(at.axis as number, x.shape)[0];
    const { outer, inner } = aroundAxis(x.shape, axis);
    const out = alloc(xv.length);
    a.cumsum(xv, out, [outer, x.shape[axis], inner], Boolean(at.exclusive), Boolean(at.reverse));
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };

  table.UnsortedSegmentSum = (backend, { x, segmentIds }, at) => {
    const xv = values(backend, x), iv = typed(backend, segmentIds);
    const segments = Number(at.numSegments);
    if (!xv || !(iv instanceof Int32Array) || iv.length === 0 || xv.length % iv.length !== 0 || !(segments >= 0)) return null;
    const shape = [segments, ...x.shape.slice(segmentIds.shape.length)];
    const inner = xv.length / iv.length;
    if (inner !== sizeOf(shape.slice(1))) return null;
    const out = alloc(sizeOf(shape));
    a.segmentSum(xv, iv, inner, segments, out);
    return backend.makeTensorInfo(shape, 'float32', out);
  };

  table.CropAndResize = (backend, { image, boxes, boxInd }, at) => {
    const iv = values(backend, image), bv = values(backend, boxes), ind = typed(backend, boxInd);
    const [ch, cw] = at.cropSize as [number, number];
    const method = at.method as string;
    if (!iv || !bv || !(ind instanceof Int32Array) || (method !== 'bilinear' && method !== 'nearest') || iv.length === 0) return null;
    const [n, h, w, c] = image.shape;
    const nb = boxes.shape[0];
    const shape = [nb, ch, cw, c];
    if (sizeOf(shape) === 0) return null;
    const out = alloc(sizeOf(shape));
    a.cropAndResize(iv, bv, ind, out, [n, h, w, c, nb, ch, cw], method === 'nearest', Number(at.extrapolationValue ?? 0));
    return backend.makeTensorInfo(shape, 'float32', out);
  };

  const fillModes = new Map(FillModeByTfjs.map(({ tfjs, code }) => [tfjs, code]));
  table.Transform = (backend, { image, transforms }, at) => {
    const iv = values(backend, image), tv = values(backend, transforms);
    const mode = fillModes.get((at.fillMode as string | undefined) ?? 'constant');
    const interp = at.interpolation as string;
    if (!iv || !tv || mode === undefined || (interp !== 'bilinear' && interp !== 'nearest') || iv.length === 0) return null;
    const [n, h, w, c] = image.shape;
    const [oh, ow] = (at.outputShape as [number, number] | null | undefined) ?? [h, w];
    if (tv.length !== 8 && tv.length !== 8 * n) return null;
    const shape = [n, oh, ow, c];
    const out = alloc(sizeOf(shape));
    a.transform(iv, tv, out, [n, h, w, c, oh, ow], interp === 'nearest', mode, Number(at.fillValue ?? 0));
    return backend.makeTensorInfo(shape, 'float32', out);
  };
  return table;
}
