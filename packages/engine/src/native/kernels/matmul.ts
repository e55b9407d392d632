/** Batched matrix products (numpy-style broadcast of the batch dims), with fused bias and activation. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.js';
import { Act } from '../ops.js';
import { actCode, channelBias, cpuActivation, cpuKernel, sizeOf, values, type KernelTable, type NativeKernel, type TensorInfo } from '../kernel.js';
import { alloc } from '../storage.js';

/** Offsets of each output batch entry into a and b, broadcasting the leading dims numpy-style. */
function batchOffsets(aOuter: number[], bOuter: number[], aMat: number, bMat: number) {
  const outOuter = tf.broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const rank = outOuter.length;
  const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
  const ap = pad(aOuter), bp = pad(bOuter);
  const batch = sizeOf(outOuter);
  const aOff: number[] = new Array(batch), bOff: number[] = new Array(batch);
  for (let i = 0; i < batch; ++i) {
    let rem = i, ai = 0, bi = 0, aStride = 1, bStride = 1;
    for (let d = rank - 1; d >= 0; --d) {
      const c = rem % outOuter[d];
      rem = Math.floor(rem / outOuter[d]);
      if (ap[d] !== 1) ai += c * aStride;
      if (bp[d] !== 1) bi += c * bStride;
      aStride *= ap[d];
      bStride *= bp[d];
    }
    aOff[i] = ai * aMat;
    bOff[i] = bi * bMat;
  }
  return { outOuter, aOff, bOff };
}

function matMul(fused: boolean, a: NativeAddon): NativeKernel {
  return (backend, { a: A, b: B, bias, preluActivationWeights }, at) => {
    const ta = Boolean(at.transposeA), tb = Boolean(at.transposeB);
    const activation = fused ? (at.activation as string | undefined) : undefined;
    const prelu = activation === 'prelu';
    const act = prelu ? Act.LINEAR : actCode(activation);
    const av = values(backend, A), bv = values(backend, B);
    const ar = A.shape.length, br = B.shape.length;
    if (!av || !bv || act === null || ar < 2 || br < 2) return null;
    const m = ta ? A.shape[ar - 1] : A.shape[ar - 2];
    const k = ta ? A.shape[ar - 2] : A.shape[ar - 1];
    const kb = tb ? B.shape[br - 1] : B.shape[br - 2];
    const n = tb ? B.shape[br - 2] : B.shape[br - 1];
    if (k !== kb || m === 0 || n === 0) return null;
    const { outOuter, aOff, bOff } = batchOffsets(A.shape.slice(0, -2), B.shape.slice(0, -2), m * k, k * n);
    const outShape = [...outOuter, m, n];
    const biasV = channelBias(backend, bias, n);
    const c = alloc(sizeOf(outShape));
    a.batchMatMul(av, bv, c, [aOff.length, m, n, k, ta ? 1 : 0, tb ? 1 : 0], aOff, bOff);
    let out = backend.makeTensorInfo(outShape, 'float32', c);
    const alpha = (at.leakyreluAlpha as number | undefined) ?? 0.2;
    if (biasV === false) {
      // A bias that is not per column (rare): the cpu Add kernel broadcasts it.
      const sum = cpuKernel('Add')({ inputs: { a: out, b: bias }, backend }) as TensorInfo;
      backend.disposeIntermediateTensorInfo(out);
      out = sum;
      if (act !== Act.LINEAR) a.biasAct(values(backend, out)!, n, null, act, alpha);
    } else if (biasV || act !== Act.LINEAR) {
      a.biasAct(c, n, biasV, act, alpha);
    }
    return prelu ? cpuActivation(backend, out, preluActivationWeights) : out;
  };
}

export function matMulKernels(a: NativeAddon): KernelTable {
  return { BatchMatMul: matMul(false, a), _FusedMatMul: matMul(true, a) };
}
