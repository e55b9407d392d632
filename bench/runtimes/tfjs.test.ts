/**
 * The tfjs runtime times the batch it was asked for: one forward pass over the whole batch, not
 * predict()'s default slices of 32.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../common/engine.js';
import { createModel } from '../../training/models/index.js';
import { tfjsRuntime } from './tfjs.js';

describe('tfjs runtime', () => {
  it('runs each inference as one forward pass over the whole batch', async () => {
    await initBackend('cpu');
    const model = createModel('resnet_ref', { numClasses: 10, inputShape: [16, 16, 3], seed: 1 });
    const runtime = await tfjsRuntime(model, 'cpu');
    const prepared = await runtime.prepare(48);
    const profile = await tf.profile(() => prepared.infer());
    const convBatches = profile.kernels.filter((k) => k.name.startsWith('Conv2D') || k.name.startsWith('FusedConv2D')).map((k) => (k.inputShapes[0] as number[])[0]);
    expect(convBatches.length).toBeGreaterThan(0);
    expect(new Set(convBatches)).toEqual(new Set([48]));
    await prepared.dispose();
    await runtime.dispose();
  }, 60_000);
});
