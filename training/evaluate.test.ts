import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch, Dataset } from './data/index.js';
import { countHits, evaluate, normalizeImages } from './evaluate.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('countHits', () => {
  it('counts top-1 and top-k by hand', () => {
    // rows: truth ranks 1st, 2nd, 4th
    const logits = Float32Array.from([5, 1, 0, 0, /**/ 3, 4, 1, 0, /**/ 4, 3, 2, 1]);
    const labels = Int32Array.from([0, 0, 3]);
    expect(countHits(logits, labels, 4, 1)).toBe(1);
    expect(countHits(logits, labels, 4, 2)).toBe(2);
    expect(countHits(logits, labels, 4, 3)).toBe(2);
    expect(countHits(logits, labels, 4, 4)).toBe(3);
  });

  it('scores a constant output as argmax would (first class), not as all correct', () => {
    const logits = new Float32Array(3 * 10).fill(0.5);
    const labels = Int32Array.from([0, 4, 9]);
    expect(countHits(logits, labels, 10, 1)).toBe(1);
    expect(countHits(logits, labels, 10, 5)).toBe(2);
  });
});

describe('evaluate', () => {
  it('normalises per channel and measures a known model on a known split', async () => {
    // 2×1×1×2 images; model = identity dense on the flattened, normalised pixels -> class = larger channel
    const images = [0.9, 0.1, /**/ 0.2, 0.6, /**/ 0.5, 0.5, /**/ 0.1, 0.3];
    const labels = [0, 1, 1, 0];
    const dataset: Dataset = {
      // two channels: the contract says 1 | 3, but nothing in evaluate depends on which
      info: { name: 'toy', classNames: ['a', 'b'], numClasses: 2, resolution: 1, channels: 2 as unknown as 1 | 3, mean: [0, 0.2], std: [1, 0.5], hflip: false, trainSize: 0, testSize: 4 },
      async *batches(_split, opts): AsyncGenerator<Batch> {
        for (let i = 0; i < 4; i += opts.batchSize) {
          const n = Math.min(opts.batchSize, 4 - i);
          yield { images: Float32Array.from(images.slice(2 * i, 2 * (i + n))), labels: Int32Array.from(labels.slice(i, i + n)), size: n };
        }
      },
    };
    const input = tf.input({ shape: [1, 1, 2] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 2, useBias: false, kernelInitializer: 'identity' });
    const model = tf.model({ inputs: input, outputs: dense.apply(flat) as tf.SymbolicTensor });
    // normalised: (0.9, -0.2) -> 0 ✓; (0.2, 0.8) -> 1 ✓; (0.5, 0.6) -> 1 ✓; (0.1, 0.2) -> 1 ✗
    const before = tf.memory().numTensors;
    const acc = await evaluate(model, dataset, { batchSize: 3, mean: dataset.info.mean, std: dataset.info.std });
    expect(tf.memory().numTensors).toBe(before);
    expect(acc).toEqual({ top1: 0.75, top5: 1, count: 4 });
    const x = normalizeImages(tf.tensor4d([0.5, 0.7], [1, 1, 1, 2]), [0, 0.2], [1, 0.5]);
    const [a, b] = Array.from(x.dataSync());
    expect(a).toBeCloseTo(0.5, 6);
    expect(b).toBeCloseTo(1.0, 6);
    x.dispose();
    model.dispose();
  });
});
