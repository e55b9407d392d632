/** Convolutions and depthwise convolutions, forward (with fused bias and activation) and backward. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.js';
import { actCode, channelBias, cpuActivation, sizeOf, values, type Attrs, type KernelTable, type NativeKernel } from '../kernel.js';
import { alloc } from '../storage.js';

type Conv = 'conv' | 'depthwise';
type Shape4 = [number, number, number, number];

/** The 15 integers the addon's conv functions take (native/index.d.ts ConvParams). */
function convParams(ci: tf.backend_util.Conv2DInfo): number[] {
  return [
    ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels,
    ci.filterHeight, ci.filterWidth, ci.outChannels, ci.outHeight, ci.outWidth,
    ci.strideHeight, ci.strideWidth, ci.dilationHeight, ci.dilationWidth,
    ci.padInfo.top, ci.padInfo.left,
  ];
}

function convInfo(kind: Conv, xShape: Shape4, filterShape: Shape4, at: Attrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape, filterShape, at.strides as number | [number, number], (at.dilations as number | [number, number]) ?? 1,
    at.pad as 'same', at.dimRoundingMode as 'floor' | undefined, kind === 'depthwise', 'channelsLast');
}

const nhwc = (at: Attrs) => ((at.dataFormat as string | undefined) ?? 'NHWC') === 'NHWC';

function forward(kind: Conv, fused: boolean, a: NativeAddon): NativeKernel {
  return (backend, { x, filter, bias, preluActivationWeights }, at) => {
    const activation = fused ? (at.activation as string | undefined) : undefined;
    const prelu = activation === 'prelu';
    const act = prelu ? actCode(null) : actCode(activation);
    const xv = values(backend, x), fv = values(backend, filter);
    if (!xv || !fv || act === null || !nhwc(at) || x.shape.length !== 4 || sizeOf(x.shape) === 0) return null;
    const ci = convInfo(kind, x.shape as Shape4, filter.shape as Shape4, at);
    const bv = channelBias(backend, bias, ci.outChannels);
    if (bv === false || ci.outHeight <= 0 || ci.outWidth <= 0) return null;
    const y = alloc(sizeOf(ci.outShape));
    const alpha = (at.leakyreluAlpha as number | undefined) ?? 0.2;
    (kind === 'conv' ? a.conv2d : a.depthwise)(xv, fv, bv, y, convParams(ci), act, alpha);
    const out = backend.makeTensorInfo(ci.outShape, 'float32', y);
    return prelu ? cpuActivation(backend, out, preluActivationWeights) : out;
  };
}

function backpropInput(kind: Conv, a: NativeAddon): NativeKernel {
  return (backend, { dy, filter }, at) => {
    const dyv = values(backend, dy), fv = values(backend, filter);
    const inputShape = at.inputShape as Shape4;
    if (!dyv || !fv || !nhwc(at) || sizeOf(inputShape) === 0) return null;
    const ci = convInfo(kind, inputShape, filter.shape as Shape4, at);
    const dx = alloc(sizeOf(inputShape));
    (kind === 'conv' ? a.conv2dBackpropInput : a.depthwiseBackpropInput)(dyv, fv, dx, convParams(ci));
    return backend.makeTensorInfo(inputShape, 'float32', dx);
  };
}

function backpropFilter(kind: Conv, a: NativeAddon): NativeKernel {
  return (backend, { x, dy }, at) => {
    const xv = values(backend, x), dyv = values(backend, dy);
    const filterShape = at.filterShape as Shape4;
    if (!xv || !dyv || !nhwc(at) || sizeOf(x.shape) === 0) return null;
    const ci = convInfo(kind, x.shape as Shape4, filterShape, at);
    const dw = alloc(sizeOf(filterShape));
    (kind === 'conv' ? a.conv2dBackpropFilter : a.depthwiseBackpropFilter)(xv, dyv, dw, convParams(ci));
    return backend.makeTensorInfo(filterShape, 'float32', dw);
  };
}

export function convKernels(a: NativeAddon): KernelTable {
  return {
    Conv2D: forward('conv', false, a),
    FusedConv2D: forward('conv', true, a),
    Conv2DBackpropInput: backpropInput('conv', a),
    Conv2DBackpropFilter: backpropFilter('conv', a),
    DepthwiseConv2dNative: forward('depthwise', false, a),
    FusedDepthwiseConv2D: forward('depthwise', true, a),
    DepthwiseConv2dNativeBackpropInput: backpropInput('depthwise', a),
    DepthwiseConv2dNativeBackpropFilter: backpropFilter('depthwise', a),
  };
}
