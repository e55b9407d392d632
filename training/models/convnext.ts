/**
 * ConvNeXt (Liu et al. 2022): patchify stem (conv k=s + LayerNorm), stages of blocks with a 7×7
 * depthwise conv, LayerNorm, 4× pointwise MLP with GELU and layer scale; between stages
 * LayerNorm + 2×2 stride-2 conv; head GAP → LayerNorm → linear.
 */
import * as tf from '@tensorflow/tfjs';
import { builderFor, imageInput } from './builder.js';
import { dense, layerNorm } from './blocks.js';
import { registerModel, type ModelConfig } from './registry.js';
import { convnextBlock } from './token-blocks.js';

interface ConvNeXtSpec {
  stemPatch: number;
  dims: number[];
  depths: number[];
  layerScaleInit: number;
}

function conv(b: ReturnType<typeof builderFor>, x: tf.SymbolicTensor, filters: number, k: number): tf.SymbolicTensor {
  return tf.layers
    .conv2d({ filters, kernelSize: k, strides: k, padding: 'same', kernelInitializer: b.glorot(), name: b.name('downsample') })
    .apply(x) as tf.SymbolicTensor;
}

function buildConvNeXt(spec: ConvNeXtSpec, config: ModelConfig): tf.LayersModel {
  const b = builderFor(config);
  const input = imageInput(b, config);
  let x = layerNorm(b, conv(b, input, spec.dims[0], spec.stemPatch));
  spec.dims.forEach((dim, stage) => {
    if (stage > 0) x = conv(b, layerNorm(b, x), dim, 2);
    for (let i = 0; i < spec.depths[stage]; i++) x = convnextBlock(b, x, spec.layerScaleInit);
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: b.name('gap') }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: dense(b, layerNorm(b, pooled), config.numClasses), name: 'convnext' });
}

function convnext(name: string, description: string, defaultResolution: number, spec: ConvNeXtSpec): void {
  registerModel({ name, family: 'cnn', description, defaultResolution, build: (c) => buildConvNeXt(spec, c) });
}

// Small nets train for minutes: layer scale starts at 0.1 so the blocks contribute from step one.
convnext('convnext_s', 'small-image ConvNeXt: 2×2 stem, dims 32/64/128, depths 1/1/2, 7×7 depthwise', 28, {
  stemPatch: 2, dims: [32, 64, 128], depths: [1, 1, 2], layerScaleInit: 0.1,
});
convnext('convnext_tiny', 'ConvNeXt-T: 4×4 stem, dims 96/192/384/768, depths 3/3/9/3', 224, {
  stemPatch: 4, dims: [96, 192, 384, 768], depths: [3, 3, 9, 3], layerScaleInit: 1e-6,
});
