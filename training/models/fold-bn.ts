/**
 * Batch-norm folding for inference. A BatchNormalization on the last axis that directly follows a
 * linear Conv2D / DepthwiseConv2D / Dense (whose output feeds nothing else) computes
 *   y = gamma · (W*x + b − mean) / sqrt(var + eps) + beta,
 * which is the same layer with W' = W · s and b' = (b − mean) · s + beta, s = gamma / sqrt(var + eps)
 * (s scales the kernel's output-channel axis). The copy has one layer less per fold and the
 * exact inference-mode function of the original; its training-mode behaviour differs (no batch
 * statistics), so it is for teachers in inference and for export only.
 */
import * as tf from '@tensorflow/tfjs';

const FOLDABLE = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense']);

interface LayerConfig {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Per node: the inputs as [layerName, nodeIndex, tensorIndex, kwargs]. */
  inboundNodes: Array<Array<[string, number, number, unknown]>>;
}

interface ModelConfig {
  name: string;
  layers: LayerConfig[];
  inputLayers: Array<[string, number, number]>;
  outputLayers: Array<[string, number, number]>;
}

/** BN layer name → the name of the conv/dense layer it folds into. */
function findFolds(model: tf.LayersModel): Map<string, string> {
  const folds = new Map<string, string>();
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization' || layer.inboundNodes.length !== 1) continue;
    const axis = layer.getConfig().axis as number;
    const shapes = layer.inboundNodes[0].inputShapes;
    const rank = (Array.isArray(shapes[0]) ? (shapes[0] as tf.Shape) : (shapes as tf.Shape)).length;
    if (axis !== -1 && axis !== rank - 1) continue;
    const sources = layer.inboundNodes[0].inboundLayers;
    if (sources.length !== 1) continue;
    const src = sources[0];
    if (!FOLDABLE.has(src.getClassName())) continue;
    // A shared layer, a layer whose output is also used elsewhere, or a non-linear one cannot be folded.
    if (src.inboundNodes.length !== 1 || src.outboundNodes.length !== 1) continue;
    if ((src.getConfig().activation ?? 'linear') !== 'linear') continue;
    folds.set(layer.name, src.name);
  }
  return folds;
}

function foldedWeights(src: tf.layers.Layer, bn: tf.layers.Layer): tf.Tensor[] {
  return tf.tidy(() => {
    const cfg = bn.getConfig();
    const bnWeights = new Map(bn.weights.map((w, i) => [w.originalName.split('/').pop(), bn.getWeights()[i]]));
    const mean = bnWeights.get('moving_mean')!;
    const variance = bnWeights.get('moving_variance')!;
    const gamma = bnWeights.get('gamma') ?? tf.onesLike(mean);
    const beta = bnWeights.get('beta') ?? tf.zerosLike(mean);
    const scale = tf.div(gamma, tf.sqrt(tf.add(variance, cfg.epsilon as number)));
    const [kernel, bias] = src.getWeights();
    // Output channels are the kernel's last axis, except depthwise: [kh, kw, in, multiplier] with
    // output channel index in·multiplier + m, so the scale is reshaped to [in, multiplier].
    const k = kernel.shape as number[];
    const s = src.getClassName() === 'DepthwiseConv2D' ? tf.reshape(scale, [k[2], k[3]]) : scale;
    const newKernel = tf.mul(kernel, s);
    const oldBias = bias ?? tf.zerosLike(mean);
    const newBias = tf.add(tf.mul(tf.sub(oldBias, mean), scale), beta);
    return [newKernel, newBias];
  });
}

/** An inference copy of `model` with every foldable batch norm folded into the layer before it. */
export function foldBatchNorm(model: tf.LayersModel): tf.LayersModel {
  const folds = findFolds(model);
  const config = structuredClone(model.getConfig()) as unknown as ModelConfig;
  const rename = (name: string): string => folds.get(name) ?? name;
  config.layers = config.layers
    .filter((l) => !folds.has(l.name))
    .map((l) => ({
      ...l,
      config: [...folds.values()].includes(l.name) ? { ...l.config, useBias: true } : l.config,
      inboundNodes: l.inboundNodes.map((node) => node.map(([n, i, t, kw]) => [rename(n), i, t, kw] as [string, number, number, unknown])),
    }));
  config.outputLayers = config.outputLayers.map(([n, i, t]) => [rename(n), i, t]);
  config.name = `${model.name}_folded`;

  const folded = tf.LayersModel.fromConfig(tf.LayersModel, config as unknown as tf.serialization.ConfigDict) as tf.LayersModel;
  const bnOf = new Map([...folds].map(([bn, src]) => [src, bn]));
  for (const layer of folded.layers) {
    const original = model.getLayer(layer.name);
    const bnName = bnOf.get(layer.name);
    const weights = bnName ? foldedWeights(original, model.getLayer(bnName)) : original.getWeights();
    layer.setWeights(weights);
    if (bnName) tf.dispose(weights);
  }
  return folded;
}
