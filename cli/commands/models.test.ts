import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import { isUsageError } from '../../common/errors.js';
import { initBackend } from '../../common/engine.js';
import { formatParams, formatTable, modelRows } from './models.js';

beforeAll(async () => {
  await initBackend('wasm');
});

it('lists the matching models with family, resolution and trainable params at 3 channels, 10 classes', () => {
  const before = tf.memory().numTensors;
  const rows = modelRows('resnet?_s');
  expect(tf.memory().numTensors).toBe(before); // every model built for counting is disposed
  expect(rows).toEqual([
    {
      name: 'resnet8_s',
      family: 'cnn',
      defaultResolution: 32,
      params: 78042, // hand-counted in training/models/roster.test.ts
      description: expect.stringContaining('small ResNet'),
    },
  ]);
  const table = formatTable(rows).split('\n');
  expect(table[0]).toMatch(/^model\s+family\s+res\s+params \(3ch, 10 cls\)\s+description$/);
  expect(table[1]).toMatch(/^resnet8_s\s+cnn\s+32\s+78\.0 k\s+small ResNet/);
});

it('formats parameter counts in k below a million and M above', () => {
  expect(formatParams(78042)).toBe('78.0 k');
  expect(formatParams(23_528_522)).toBe('23.53 M');
});

it('refuses a pattern that matches nothing with a UsageError', () => {
  let err: unknown;
  try {
    modelRows('nothing*');
  } catch (e) {
    err = e;
  }
  expect(isUsageError(err)).toBe(true);
  expect((err as Error).message).toBe("no model matches 'nothing*'; run 'usibench models' to list the roster");
});

it('is registered with the CLI and prints JSON with --json', () => {
  const out = execFileSync('node', ['bin/usibench.js', 'models', 'mixer_s', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, USIBENCH_BACKEND: 'cpu' },
  });
  const rows = JSON.parse(out);
  expect(rows).toHaveLength(1);
  // The PyTorch count at 28×28×1 (fixtures/params.json) plus two more input channels of the 4×4×64 patch embedding.
  const expected = 82062 + 2 * 4 * 4 * 64;
  expect(rows[0]).toMatchObject({ name: 'mixer_s', family: 'mlp', defaultResolution: 28, params: expected });
});
