/**
 * ResNet family (He et al. 2016): basic blocks for the small and 18/34-style nets, bottleneck
 * blocks (v1.5, stride on the 3×3) for 26/50-style. Small-image variants use a 3×3 stride-1 stem
 * and no max-pool (CIFAR-style); ImageNet variants the 7×7 stride-2 stem and 3×3 max-pool.
 */
import * as tf from '@tensorflow/tfjs';
import { builderFor, imageInput } from './builder.js';
import { basicBlock, bottleneckBlock, convBn, poolHead } from './blocks.js';
import { registerModel, type ModelConfig } from './registry.js';

interface ResNetSpec {
  block: 'basic' | 'bottleneck';
  /** Stage widths (for bottleneck blocks: the inner width; the output is 4× that). */
  widths: number[];
  depths: number[];
  /** stride 2 halves the resolution before the first stage (small-image teacher: 4× cheaper). */
  stem: { filters: number; imagenet: boolean; stride?: number };
}

function buildResNet(spec: ResNetSpec, config: ModelConfig): tf.LayersModel {
  const b = builderFor(config);
  const input = imageInput(b, config);
  let x = spec.stem.imagenet
    ? convBn(b, input, spec.stem.filters, { kernel: 7, stride: 2, act: 'relu' })
    : convBn(b, input, spec.stem.filters, { kernel: 3, stride: spec.stem.stride ?? 1, act: 'relu' });
  if (spec.stem.imagenet) {
    x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: b.name('maxpool') }).apply(x) as tf.SymbolicTensor;
  }
  spec.widths.forEach((width, stage) => {
    for (let i = 0; i < spec.depths[stage]; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      x = spec.block === 'basic' ? basicBlock(b, x, width, stride) : bottleneckBlock(b, x, width, stride);
    }
  });
  return tf.model({ inputs: input, outputs: poolHead(b, x, config.numClasses), name: 'resnet' });
}

function resnet(name: string, description: string, defaultResolution: number, spec: ResNetSpec): void {
  registerModel({
    name,
    family: 'cnn',
    description,
    defaultResolution,
    build: (config) => buildResNet(spec, config),
  });
}

resnet('resnet_ref', 'reference ResNet-like net (~0.6 M params): 3×3 stem 16, basic blocks 32/64/128 ×1/1/2', 32, {
  block: 'basic',
  widths: [32, 64, 128],
  depths: [1, 1, 2],
  stem: { filters: 16, imagenet: false },
});
resnet('resnet8_s', 'small ResNet: 3×3 stem 16, basic blocks 16/32/64 ×1 (~78 k params)', 32, {
  block: 'basic',
  widths: [16, 32, 64],
  depths: [1, 1, 1],
  stem: { filters: 16, imagenet: false },
});
resnet('resnet18_s', 'ResNet-18 layout at small-image width: 3×3 stem 16, basic blocks 16/32/64/128 ×2', 32, {
  block: 'basic',
  widths: [16, 32, 64, 128],
  depths: [2, 2, 2, 2],
  stem: { filters: 16, imagenet: false },
});
// The default teacher: deeper and wider than the small students, but cheap enough to train in
// minutes on a CPU: bottlenecks keep the 3×3 convs narrow and the stride-2 stem runs the first
// stage at half resolution (14×14 for MNIST), a quarter of the compute of a stride-1 stem.
resnet('resnet26_s', 'teacher ResNet-26: 3×3 stride-2 stem 32, bottleneck blocks 32/64/128/256 (×4 out) ×2', 32, {
  block: 'bottleneck',
  widths: [32, 64, 128, 256],
  depths: [2, 2, 2, 2],
  stem: { filters: 32, imagenet: false, stride: 2 },
});
resnet('resnet18', 'ResNet-18 (ImageNet layout): 7×7 stem, basic blocks 64/128/256/512 ×2', 224, {
  block: 'basic',
  widths: [64, 128, 256, 512],
  depths: [2, 2, 2, 2],
  stem: { filters: 64, imagenet: true },
});
resnet('resnet50', 'ResNet-50 (ImageNet layout, v1.5): 7×7 stem, bottleneck 64/128/256/512 ×3/4/6/3', 224, {
  block: 'bottleneck',
  widths: [64, 128, 256, 512],
  depths: [3, 4, 6, 3],
  stem: { filters: 64, imagenet: true },
});
