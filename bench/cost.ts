/**
 * Model cost from its layers: trainable parameters (as timm counts them) and multiply-accumulates
 * for one image at the resolution the model was built for. Like fvcore and timm's profiler, only
 * the matrix-product work is counted — convolutions, dense layers, the attention matmuls — and
 * elementwise ops (activations, norms, adds, scales, pooling) are not: they are a few percent of
 * a backbone's MACs and counting them is convention-dependent.
 */
import type * as tf from '@tensorflow/tfjs';
import { UsageError } from '../common/errors.js';
import { trainableParams } from '../training/models/params.js';

export interface ModelCost {
  params: number;
  /** Multiply-accumulates per image. */
  macs: number;
}

interface TopologyNode {
  outboundLayer: tf.layers.Layer;
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

const prod = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

function dims(t: tf.SymbolicTensor): number[] {
  return t.shape.slice(1).map((d) => {
    if (d == null) throw new UsageError(`cannot count MACs: tensor ${t.name} has a dynamic dimension`);
    return d;
  });
}

function kernelSize(config: Record<string, unknown>): [number, number] {
  const k = config.kernelSize as number | number[];
  return Array.isArray(k) ? [k[0], k[1] ?? k[0]] : [k, k];
}

/** MACs of one application of a layer, for one image, from its config and tensor shapes. */
export function layerMacs(layer: tf.layers.Layer, inputs: number[][], outputs: number[][]): number {
  const config = layer.getConfig() as Record<string, unknown>;
  const out = outputs[0];
  switch (layer.getClassName()) {
    case 'Conv2D': {
      const [kh, kw] = kernelSize(config);
      const cin = inputs[0][2];
      const [oh, ow, cout] = out;
      return kh * kw * cin * cout * oh * ow;
    }
    case 'DepthwiseConv2D': {
      const [kh, kw] = kernelSize(config);
      const [oh, ow, cout] = out; // cout = cin · depthMultiplier, one kh·kw filter each
      return kh * kw * cout * oh * ow;
    }
    case 'SeparableConv2D': {
      const [kh, kw] = kernelSize(config);
      const cin = inputs[0][2];
      const mid = cin * ((config.depthMultiplier as number) ?? 1);
      const [oh, ow, cout] = out;
      return kh * kw * mid * oh * ow + mid * cout * oh * ow;
    }
    case 'Dense': {
      const x = inputs[0];
      const rows = prod(x.slice(0, -1));
      return rows * x[x.length - 1] * out[out.length - 1];
    }
    case 'SelfAttention': {
      // q·kᵀ and A·v: each T·T·d per head, H heads of d = D/H channels.
      const [t, c3] = inputs[0];
      return 2 * t * t * (c3 / 3);
    }
    case 'PositionEmbedding': // an addition of a learned [T, D] table
    case 'ClassToken': // a concatenation of a learned [1, D] token
      return 0;
    default:
      // A layer with a weight matrix does matmul work this counter does not know how to count.
      if (layer.weights.some((w) => w.shape.length >= 2))
        throw new Error(`cannot count MACs of layer '${layer.name}' (${layer.getClassName()}): add it to bench/cost.ts`);
      return 0;
  }
}

/** Parameters and per-image MACs of a functional tfjs model at its input resolution. */
export function countCost(model: tf.LayersModel): ModelCost {
  const byDepth = (model as unknown as { nodesByDepth: Record<string, TopologyNode[]> }).nodesByDepth;
  let macs = 0;
  for (const nodes of Object.values(byDepth)) {
    for (const node of nodes) {
      macs += layerMacs(node.outboundLayer, node.inputTensors.map(dims), node.outputTensors.map(dims));
    }
  }
  return { params: trainableParams(model), macs };
}
