/**
 * The three ready-made nightly configs. quick must finish in minutes on a 2-core CPU, so it trains
 * on small fixed subsets of the embedded MNIST for few epochs: its numbers show the pipeline
 * working, not the recipe's ceiling. cpu is an overnight run on a CIFAR-10-class dataset; gpu is
 * the paper's protocol (224 px ImageFolder, batch 128, long schedule) for a GPU box.
 */
import { UsageError } from '../common/errors.js';
import type { NightlyConfigInput } from './config.js';

/** Two seeds at least, so even the quick night's top-1 has an interval and its gains a paired one. */
const SEEDS_QUICK = 2;

export const PRESET_NAMES = ['quick', 'cpu', 'gpu'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const PRESETS: Record<PresetName, NightlyConfigInput> = {
  quick: {
    dataset: 'mnist',
    resolution: 28,
    trainLimit: 4096,
    testLimit: 1000,
    seeds: SEEDS_QUICK,
    // A few hundred steps: the reference augmentation keeps such a run near chance (README,
    // "Recipe profiles"), no augmentation at all trains furthest in the time.
    profile: 'plain',
    // The students run side by side, one job per core, each on wasm (one thread): measured back to
    // back on a 2-core machine, the student jobs finished sooner on wasm than on the native addon,
    // whose jobs each spread over every core and contend (figures in the commit that chose this).
    // The teacher trains alone, so it takes the best backend available: native where it built.
    trainBackend: 'wasm',
    teacher: { model: 'resnet18_s', epochs: 4, backend: 'auto' },
    // The smallest member of each family.
    roster: ['resnet8_s', 'mobilenetv3_s', 'vit_tiny_s', 'mixer_s'],
    baselines: true,
    train: { epochs: 3, batchSize: 64 },
    bench: {
      batchSize: 32,
      targets: [{ runtime: 'tfjs' }, { runtime: 'onnxruntime', backend: 'cpu' }],
      minTime: 0.5,
      minIters: 5,
      warmupTime: 0.1,
    },
  },
  cpu: {
    dataset: 'cifar10',
    resolution: 32,
    seeds: 3,
    // Tens of epochs over 50,000 images overfit without augmentation; the reference's is made for
    // 300 ImageNet epochs and kept short runs lowest in the comparison (README, "Recipe profiles").
    profile: 'light',
    teacher: { model: 'resnet26_s', epochs: 60 },
    roster: ['resnet8_s', 'resnet18_s', 'convnext_s', 'mobilenetv3_s', 'efficientnet_s', 'vit_tiny_s', 'levit_s', 'mixer_s', 'resmlp_s'],
    baselines: true,
    train: { epochs: 30, batchSize: 128 },
    bench: { batchSize: 64, targets: [{ runtime: 'tfjs' }, { runtime: 'onnxruntime', backend: 'cpu' }], minTime: 2, minIters: 20, warmupTime: 0.5 },
  },
  gpu: {
    // ImageFolder path: override with a config file ({ dataset: 'imagefolder:/data/imagenet' }).
    dataset: 'imagefolder:./data/imagefolder',
    resolution: 224,
    seeds: 3,
    // The paper's setting, so the paper's recipe, unchanged.
    profile: 'usi',
    teacher: { model: 'resnet50', epochs: 300, batchSize: 128 },
    roster: ['resnet18', 'resnet50', 'convnext_tiny', 'mobilenetv3_large_100', 'efficientnet_b0', 'deit_tiny_patch16_224', 'vit_small_patch16_224', 'levit_128s_style_224', 'mixer_s16_224', 'resmlp_12_224'],
    baselines: true,
    trainBackend: 'auto',
    train: { epochs: 300, batchSize: 128 },
    bench: {
      batchSize: 256,
      targets: [{ runtime: 'onnxruntime', backend: 'cuda', precision: 'fp16' }, { runtime: 'tfjs' }],
      minTime: 5,
      minIters: 50,
      warmupTime: 2,
    },
  },
};

export function parsePresetName(value: string): PresetName {
  if ((PRESET_NAMES as readonly string[]).includes(value)) return value as PresetName;
  throw new UsageError(`unknown preset '${value}'; use one of ${PRESET_NAMES.join(', ')} (or --config FILE)`);
}
