/**
 * Mobile-oriented CNNs. MobileNetV3 (Howard et al. 2019): inverted residuals with depthwise convs,
 * squeeze-excitation gated by hard-sigmoid, ReLU early and hard-swish late, a 1×1 conv head after
 * pooling. EfficientNet (Tan & Le 2019): MBConv with SE (reduced from the block's input width)
 * and swish everywhere.
 */
import * as tf from '@tensorflow/tfjs';
import { builderFor, imageInput, type Builder } from './builder.js';
import { channels, convBn, dense, invertedResidual, makeDivisible, type Act } from './blocks.js';
import { registerModel, type ModelConfig } from './registry.js';

type T = tf.SymbolicTensor;

/** One MobileNetV3 block: kernel, expanded width, output width, SE, activation, stride. */
type V3Row = [number, number, number, boolean, 'RE' | 'HS', number];

interface MobileNetV3Spec {
  stem: number;
  stemStride: number;
  rows: V3Row[];
  lastConv: number;
  head: number;
}

function buildMobileNetV3(spec: MobileNetV3Spec, config: ModelConfig): tf.LayersModel {
  const b = builderFor(config);
  const input = imageInput(b, config);
  let x: T = convBn(b, input, spec.stem, { kernel: 3, stride: spec.stemStride, act: 'hard_swish' });
  for (const [kernel, expanded, out, se, a, stride] of spec.rows) {
    const act: Act = a === 'RE' ? 'relu' : 'hard_swish';
    x = invertedResidual(b, x, {
      expanded, out, kernel, stride, act,
      se: se ? { reduce: makeDivisible(expanded / 4), act: 'relu', gate: 'hard_sigmoid' } : null,
    });
  }
  x = convBn(b, x, spec.lastConv, { kernel: 1, act: 'hard_swish' });
  x = tf.layers.globalAveragePooling2d({ name: b.name('gap') }).apply(x) as T;
  // The 1×1 head conv on a pooled 1×1 map is a dense layer (same weights, no norm, with bias).
  x = dense(b, x, spec.head, 'hard_swish');
  return tf.model({ inputs: input, outputs: dense(b, x, config.numClasses), name: 'mobilenetv3' });
}

/** One EfficientNet stage: expansion ratio, kernel, stride of the first block, output width, repeats. */
type EffRow = [number, number, number, number, number];

interface EfficientNetSpec {
  stem: number;
  stemStride: number;
  rows: EffRow[];
  head: number;
}

function mbconv(b: Builder, x: T, ratio: number, kernel: number, stride: number, out: number): T {
  const inC = channels(x);
  return invertedResidual(b, x, {
    expanded: inC * ratio, out, kernel, stride, act: 'swish',
    se: { reduce: Math.max(1, Math.floor(inC * 0.25)), act: 'swish', gate: 'sigmoid' },
  });
}

function buildEfficientNet(spec: EfficientNetSpec, config: ModelConfig): tf.LayersModel {
  const b = builderFor(config);
  const input = imageInput(b, config);
  let x: T = convBn(b, input, spec.stem, { kernel: 3, stride: spec.stemStride, act: 'swish' });
  for (const [ratio, kernel, stride, out, repeats] of spec.rows) {
    for (let i = 0; i < repeats; i++) x = mbconv(b, x, ratio, kernel, i === 0 ? stride : 1, out);
  }
  x = convBn(b, x, spec.head, { kernel: 1, act: 'swish' });
  x = tf.layers.globalAveragePooling2d({ name: b.name('gap') }).apply(x) as T;
  return tf.model({ inputs: input, outputs: dense(b, x, config.numClasses), name: 'efficientnet' });
}

function mobile<S>(build: (s: S, c: ModelConfig) => tf.LayersModel, name: string, description: string, res: number, spec: S): void {
  registerModel({ name, family: 'mobile', description, defaultResolution: res, build: (c) => build(spec, c) });
}

mobile(buildMobileNetV3, 'mobilenetv3_s', 'small-image MobileNetV3: stride-1 stem 16, 6 inverted residuals (SE, hard-swish), head 256', 28, {
  stem: 16, stemStride: 1, lastConv: 192, head: 256,
  rows: [
    [3, 16, 16, true, 'RE', 2],
    [3, 64, 24, false, 'RE', 2],
    [3, 72, 24, false, 'RE', 1],
    [5, 96, 40, true, 'HS', 2],
    [5, 120, 40, true, 'HS', 1],
    [5, 144, 48, true, 'HS', 1],
  ],
});
mobile(buildMobileNetV3, 'mobilenetv3_large_100', 'MobileNetV3-Large 1.0 (ImageNet layout, as in timm)', 224, {
  stem: 16, stemStride: 2, lastConv: 960, head: 1280,
  rows: [
    [3, 16, 16, false, 'RE', 1],
    [3, 64, 24, false, 'RE', 2],
    [3, 72, 24, false, 'RE', 1],
    [5, 72, 40, true, 'RE', 2],
    [5, 120, 40, true, 'RE', 1],
    [5, 120, 40, true, 'RE', 1],
    [3, 240, 80, false, 'HS', 2],
    [3, 200, 80, false, 'HS', 1],
    [3, 184, 80, false, 'HS', 1],
    [3, 184, 80, false, 'HS', 1],
    [3, 480, 112, true, 'HS', 1],
    [3, 672, 112, true, 'HS', 1],
    [5, 672, 160, true, 'HS', 2],
    [5, 960, 160, true, 'HS', 1],
    [5, 960, 160, true, 'HS', 1],
  ],
});
// Stride-2 stem: the ×4 expansions at full resolution made it 4× slower to train than its peers.
mobile(buildEfficientNet, 'efficientnet_s', 'small-image EfficientNet: stride-2 stem 16, MBConv ×1/×4 with SE and swish, head 256', 28, {
  stem: 16, stemStride: 2, head: 256,
  rows: [
    [1, 3, 1, 16, 1],
    [4, 3, 2, 24, 2],
    [4, 5, 2, 40, 2],
    [4, 3, 1, 64, 1],
  ],
});
mobile(buildEfficientNet, 'efficientnet_b0', 'EfficientNet-B0 (ImageNet layout, as in timm)', 224, {
  stem: 32, stemStride: 2, head: 1280,
  rows: [
    [1, 3, 1, 16, 1],
    [6, 3, 2, 24, 2],
    [6, 5, 2, 40, 2],
    [6, 3, 2, 80, 3],
    [6, 5, 1, 112, 3],
    [6, 5, 2, 192, 4],
    [6, 3, 1, 320, 1],
  ],
});
