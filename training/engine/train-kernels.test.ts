/**
 * No silent fallback in a training step: on the native and the wasm backend, every kernel that a
 * USI training step of every roster family runs (augmentation, the teacher's forward pass, the
 * loss, gradients, AdamW, EMA) must be that backend's own. tf.profile lists the kernels a step
 * ran; a kernel "ran in the cpu backend's JS" when the cpu backend has it and the active backend
 * either has none (tfjs would then fail) or registered the cpu backend's very kernelFunc, which is
 * how the native backend inherits every kernel it does not implement. Native kernels that hand an
 * input they do not take to the cpu kernel are counted too (takeCpuFallbacks).
 *
 * Two cpu kernels are allowed: Reshape and Identity move no data (the output is the input's
 * storage under a new shape), so they cost the same whichever backend registered them.
 *
 * Native skips, with a message, where the addon is not built.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../common/rng.js';
import { augmentBatch, USI_AUGMENT } from '../augment/index.js';
import { cropAndFlip } from '../augment/crop.js';
import { applyMix } from '../augment/mix.js';
import { RAND_INCREASING_OPS, applyOp, opArgument } from '../augment/randaugment.js';
import { normalizeImages } from '../evaluate.js';
import { FAMILIES, createModel, getModelEntry, listModels } from '../models/index.js';
import { foldBatchNorm } from '../models/fold-bn.js';
import { AdamW } from '../recipe/adamw.js';
import { Ema } from '../recipe/ema.js';
import { usiLoss } from '../recipe/kd-loss.js';
import { resolveRecipe } from '../recipe/recipe.js';
import { initBackend } from '../../common/engine.js';
import { registerNativeBackend, takeCpuFallbacks } from '@usibench/engine';

const reg = await registerNativeBackend();
if (!reg.available) console.warn(`training/engine/train-kernels.test.ts: native skipped, ${reg.reason}`);

const RES = 32;
const BATCH = 8;
const CLASSES = 10;
const MEAN = [0.49, 0.48, 0.45], STD = [0.25, 0.24, 0.26];
/** Kernels that only relabel their input's storage. */
const BOOKKEEPING = new Set(['Reshape', 'Identity']);

/** The kernels of `fn` (one profile) that ran in the cpu backend's JS on `backend`, with how often. */
async function cpuKernelsOf(backend: string, fn: () => void): Promise<string[]> {
  takeCpuFallbacks();
  const profile = await tf.profile(fn);
  const found = new Set<string>();
  for (const k of profile.kernels) {
    const cpu = tf.getKernel(k.name, 'cpu');
    const own = tf.getKernel(k.name, backend);
    // names no backend registers are custom-gradient scopes (fusedConv2d__op): their kernels are listed too
    if (cpu && (!own || own.kernelFunc === cpu.kernelFunc) && !BOOKKEEPING.has(k.name)) found.add(k.name);
  }
  for (const name of takeCpuFallbacks().keys()) found.add(`${name} (inside a native kernel)`);
  return [...found].sort();
}

/** One small-image model per family, the smallest by parameter count (as native-train.test.ts picks). */
function onePerFamily(): string[] {
  const best = new Map<string, { name: string; params: number }>();
  for (const name of listModels()) {
    const e = getModelEntry(name);
    if (e.defaultResolution > 32 || e.checkResolution?.(RES)) continue;
    const m = createModel(name, { numClasses: CLASSES, inputShape: [RES, RES, 3], seed: 1 });
    const params = m.countParams();
    m.dispose();
    const cur = best.get(e.family);
    if (!cur || params < cur.params) best.set(e.family, { name, params });
  }
  return [...best.values()].map((b) => b.name);
}

// the roster is sized on cpu, before any test picks its backend
await tf.setBackend('cpu');
const backends = ['wasm', ...(reg.available ? ['native'] : [])];

describe('training steps run only the backend\'s own kernels', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  const models = onePerFamily();

  it('covers every roster family', () => {
    expect(new Set(models.map((m) => getModelEntry(m).family))).toEqual(new Set(FAMILIES));
  });

  it.skipIf(!reg.available)('the check names a kernel the native backend inherits from cpu (guards the harness)', async () => {
    await initBackend('native');
    const x = tf.tensor1d([0.1, 0.2]);
    expect(await cpuKernelsOf('native', () => void tf.sin(x))).toEqual(['Sin']);
    x.dispose();
  });

  for (const backend of backends) {
    it(`${backend}: crop/flip, every RandAugment op at both signs, mixup and cutmix`, async () => {
      await initBackend(backend as 'native' | 'wasm');
      const rng = new Rng(5);
      const images = tf.randomUniform([BATCH, RES, RES, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const labels = Int32Array.from({ length: BATCH }, (_, i) => i % CLASSES);
      const ran = await cpuKernelsOf(backend, () => {
        tf.tidy(() => {
          cropAndFlip(images, USI_AUGMENT, rng);
          for (const op of RAND_INCREASING_OPS) {
            applyOp(op, images, Array.from({ length: BATCH }, (_, i) => opArgument(op, 7, i % 2 ? 1 : -1)));
          }
          applyMix(images, labels, CLASSES, { lam: 0.7, box: null });
          applyMix(images, labels, CLASSES, { lam: 0.75, box: { yl: 4, yh: 20, xl: 8, xh: 16 } });
        });
      });
      images.dispose();
      expect(ran, `${backend}: kernels that ran in the cpu backend's JS`).toEqual([]);
    });

    for (const name of models) {
      it(`${backend}: one USI step of ${name} (augment, teacher, loss, gradients, AdamW, EMA)`, async () => {
        await initBackend(backend as 'native' | 'wasm');
        const recipe = resolveRecipe({});
        const teacher = foldBatchNorm(createModel('resnet8_s', { numClasses: CLASSES, inputShape: [RES, RES, 3], seed: 2 }));
        const model = createModel(name, { numClasses: CLASSES, inputShape: [RES, RES, 3], seed: 1 });
        const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const optimizer = new AdamW(trainable, recipe);
        const ema = new Ema(model.weights.map((w) => w.read() as tf.Variable), 0.99);
        const images = tf.randomUniform([BATCH, RES, RES, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
        const labels = Int32Array.from({ length: BATCH }, (_, i) => (3 * i) % CLASSES);
        const rng = new Rng(11);
        const ran = await cpuKernelsOf(backend, () => {
          tf.tidy(() => {
            const aug = augmentBatch(images, labels, CLASSES, USI_AUGMENT, rng);
            const x = normalizeImages(aug.images, MEAN, STD);
            const t = teacher.predictOnBatch(normalizeImages(aug.images, MEAN, STD)) as tf.Tensor2D;
            const { grads } = tf.variableGrads(() => usiLoss(model.apply(x, { training: true }) as tf.Tensor2D, aug.targets, t, recipe), trainable);
            optimizer.step(trainable.map((v) => grads[v.name]), 1e-3);
            ema.update();
          });
        });
        tf.dispose(images);
        optimizer.dispose();
        ema.dispose();
        model.dispose();
        teacher.dispose();
        expect(ran, `${backend} ${name}: kernels that ran in the cpu backend's JS`).toEqual([]);
      });
    }
  }
});
