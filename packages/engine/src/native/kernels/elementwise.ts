/** Elementwise arithmetic: binary ops with broadcasting, AddN, and unary ops, by the codes of ops.json. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.js';
import { BinOp, BinOpByTfjs, UnOpByTfjs, type UnOp } from '../ops.js';
import { broadcastStrides, f32, listInputs, sizeOf, values, type KernelTable, type NativeKernel } from '../kernel.js';
import { alloc } from '../storage.js';

/** out = a op b, broadcast numpy-style; inputs a and b, as tfjs's binary kernels take them. */
export function binary(op: BinOp, a: NativeAddon): NativeKernel {
  return (backend, { a: A, b: B }) => {
    const av = values(backend, A), bv = values(backend, B);
    if (!av || !bv) return null;
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(A.shape, B.shape);
    const n = sizeOf(shape);
    if (n === 0) return null;
    const out = alloc(n);
    if (!a.binary(op, av, broadcastStrides(A.shape, shape), bv, broadcastStrides(B.shape, shape), out, shape)) return null;
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function addN(a: NativeAddon): NativeKernel {
  return (backend, inputs) => {
    const { ts, vs } = listInputs(backend, inputs);
    const shape = ts[0]?.shape;
    if (!shape || vs.some((v) => !v) || ts.some((t) => !tf.util.arraysEqual(t.shape, shape)) || sizeOf(shape) === 0) return null;
    const out = Float32Array.from(vs[0]!);
    const flat = [out.length], strides = [1];
    for (let i = 1; i < vs.length; i++) a.binary(BinOp.ADD, out, strides, vs[i]!, strides, out, flat);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function unary(op: UnOp, a: NativeAddon, alphaAttr?: string, betaAttr?: string): NativeKernel {
  return (backend, { x }, at) => {
    const xv = f32(backend, x);
    if (!xv) return null;
    const y = alloc(xv.length);
    const alpha = alphaAttr ? Number(at[alphaAttr] ?? 0) : 0;
    const beta = betaAttr ? Number(at[betaAttr] ?? 0) : 0;
    if (!a.unary(op, xv, y, alpha, beta)) return null;
    return backend.makeTensorInfo(x.shape, 'float32', y);
  };
}

export function elementwiseKernels(a: NativeAddon): KernelTable {
  const table: KernelTable = { AddN: addN(a) };
  for (const { tfjs, code } of BinOpByTfjs) table[tfjs] = binary(code, a);
  for (const { tfjs, code, attrs } of UnOpByTfjs) table[tfjs] = unary(code, a, attrs[0], attrs[1]);
  return table;
}
