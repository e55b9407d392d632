import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../common/engine.js';
import { foldBatchNorm } from './fold-bn.js';
import { createModel } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Moving statistics and affine parameters far from the identity, so a wrong fold shows. */
function randomiseBatchNorms(model: tf.LayersModel): number {
  let n = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const [gamma, beta, mean, variance] = layer.getWeights();
    layer.setWeights([
      tf.randomUniform(gamma.shape, 0.5, 1.5, 'float32', 4 * n),
      tf.randomUniform(beta.shape, -0.5, 0.5, 'float32', 4 * n + 1),
      tf.randomUniform(mean.shape, -0.5, 0.5, 'float32', 4 * n + 2),
      tf.randomUniform(variance.shape, 0.3, 2, 'float32', 4 * n + 3),
    ]);
    n++;
  }
  return n;
}

const count = (m: tf.LayersModel, cls: string) => m.layers.filter((l) => l.getClassName() === cls).length;

// Conv2D (resnet), DepthwiseConv2D + SE (mobilenetv3, efficientnet), conv stem inside a hybrid (levit).
for (const name of ['resnet8_s', 'mobilenetv3_s', 'efficientnet_s', 'levit_s']) {
  it(`${name}: folded copy equals the original in inference mode, without batch norms`, () => {
    const model = createModel(name, { numClasses: 10, inputShape: [16, 16, 3], seed: 1 });
    const bns = randomiseBatchNorms(model);
    expect(bns).toBeGreaterThan(3);
    const before = tf.memory().numTensors;
    const folded = foldBatchNorm(model);
    expect(count(folded, 'BatchNormalization')).toBe(0);
    expect(folded.layers.length).toBe(model.layers.length - bns);
    const x = tf.randomNormal([3, 16, 16, 3], 0, 1, 'float32', 11);
    const a = model.predict(x) as tf.Tensor;
    const b = folded.predict(x) as tf.Tensor;
    const [diffT, scaleT] = tf.tidy(() => [tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(a))]);
    const diff = diffT.dataSync()[0];
    const scale = scaleT.dataSync()[0];
    tf.dispose([diffT, scaleT]);
    expect(scale).toBeGreaterThan(0.01);
    expect(diff).toBeLessThan(1e-4 * Math.max(1, scale));
    tf.dispose([x, a, b]);
    // The fold leaves nothing behind but the new model's weights.
    expect(tf.memory().numTensors - before).toBe(folded.weights.length);
    folded.dispose();
    model.dispose();
  });
}

it('leaves a batch norm alone when the conv output also feeds something else', () => {
  const input = tf.input({ shape: [8, 8, 2] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization().apply(conv) as tf.SymbolicTensor;
  const out = tf.layers.add().apply([bn, conv]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  randomiseBatchNorms(model);
  const folded = foldBatchNorm(model);
  expect(count(folded, 'BatchNormalization')).toBe(1);
  const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 2);
  const diff = tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, folded.predict(x) as tf.Tensor))).dataSync()[0];
  expect(diff).toBeLessThan(1e-5);
});
