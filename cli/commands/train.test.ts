import { describe, expect, it } from 'vitest';
import type { TrainingRun } from '../../db/record.js';
import { baselineRecipe } from '../../training/recipe/recipe.js';
import { formatTrainResult, trainOptionsFromFlags } from './train.js';

const flags = { model: 'resnet8_s', dataset: 'mnist', teacher: 'auto', epochs: '3', batchSize: '32', seed: '7' };

describe('usibench train flags', () => {
  it('turns flags into TrainOptions with a default out dir named after the run', () => {
    const o = trainOptionsFromFlags({ ...flags, trainLimit: '2000', alphaKd: '2.5', temperature: '2' });
    expect(o).toMatchObject({ model: 'resnet8_s', dataset: 'mnist', teacher: 'auto', epochs: 3, batchSize: 32, seed: 7, trainLimit: 2000 });
    expect(o.recipe).toEqual({ alphaKd: 2.5, temperature: 2 });
    expect(o.outDir).toBe('runs/resnet8_s-mnist-usi-seed7');
    expect(trainOptionsFromFlags({ ...flags, teacher: 'none', dataset: 'imagefolder:/data/x y' }).outDir).toBe('runs/resnet8_s-imagefolder_data_x_y-baseline-seed7');
  });

  it('refuses bad values with one clear line', () => {
    expect(() => trainOptionsFromFlags({ ...flags, epochs: '2.5' })).toThrow("--epochs must be a whole number ≥ 1, got '2.5'");
    expect(() => trainOptionsFromFlags({ ...flags, batchSize: '1' })).toThrow("--batch-size must be a whole number ≥ 2, got '1'");
    expect(() => trainOptionsFromFlags({ ...flags, seed: '-1' })).toThrow(/--seed must be a whole number ≥ 0/);
    expect(() => trainOptionsFromFlags({ ...flags, temperature: 'warm' })).toThrow("--temperature must be a number, got 'warm'");
    expect(() => trainOptionsFromFlags({ ...flags, teacher: 'none', kdOnly: true })).toThrow(/--teacher none trains without KD/);
    expect(() => trainOptionsFromFlags({ ...flags, profile: 'strong' as never })).toThrow('--profile must be one of usi, light, plain');
    expect(trainOptionsFromFlags({ ...flags, profile: 'light' }).recipe).toEqual({ profile: 'light' });
  });

  it('prints the final table with raw and EMA accuracy and marks the kept weights', () => {
    const r = {
      model: 'resnet8_s', modelFacts: { name: 'resnet8_s', family: 'cnn', params: 78042, defaultResolution: 32 }, dataset: 'mnist', resolution: 32, recipeHash: 'abcdef0123456789', teacher: null,
      seed: 0, epochs: 2, batchSize: 64, top1Raw: 0.9, top5Raw: 0.995, top1Ema: 0.9125, top5Ema: 0.99, best: 'ema',
      curve: [{ epoch: 1, loss: 1.5, lr: 1e-3, top1: 0.8, top1Ema: 0.5 }], wallSeconds: 90, modelDir: 'runs/x/model',
      backend: 'wasm', recipe: baselineRecipe({ profile: 'plain' }),
    } as unknown as TrainingRun;
    const text = formatTrainResult(r);
    expect(text).toContain('raw      90.00%   99.50%\n');
    expect(text).toContain('EMA      91.25%   99.00%  (kept)\n');
    expect(text).toContain('teacher: none (baseline, alphaKd 0)');
    expect(text).toContain('recipe abcdef012345 (profile plain)');
    expect(text).toContain('1.5 min');
  });
});
