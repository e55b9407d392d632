import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bench, seedResults, training } from './__fixtures__/seed.js';
import { closeDb, openDb, type Db } from './index.js';
import { chartRows, filterValues, frontierRows, modelHistory, resultRows, usiGains, type ChartRow } from './queries.js';
import { recordBenchmark, recordTrainingRun } from './record.js';
import { benchmarkResults, trainingRuns } from './schema.js';
import { recipeHash, resolveRecipe } from '../training/recipe/recipe.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-q-'));
  db = openDb(path.join(dir, 'q.sqlite'));
});
afterEach(() => {
  closeDb(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('queries', () => {
  it('returns one row per successful USI benchmark, joined with its run and model', () => {
    seedResults(db);
    const rows = resultRows(db, { runtime: 'tfjs' });
    expect(rows.map((r) => r.model).sort()).toEqual(['mixer_d', 'mobile_b', 'resnet_a', 'vit_c']);
    const resnet = rows.find((r) => r.model === 'resnet_a')!;
    expect(resnet).toMatchObject({ family: 'cnn', dataset: 'mnist', mode: 'usi', top1: 0.98, imagesPerSec: 100, params: 600_000, batchSize: 64 });
    expect(resnet.stepMsMean).toBeCloseTo(640, 9); // 64 images / 100 img/s
    // The failed onnxruntime benchmark is hidden by default and shown on request.
    expect(resultRows(db, { runtime: 'onnxruntime' }).map((r) => r.model)).not.toContain('mobile_b');
    const failed = resultRows(db, { runtime: 'onnxruntime', includeFailed: true }).find((r) => r.model === 'mobile_b')!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/onnx export failed/);
    expect(failed.onFrontier).toBe(false);
  });

  it('computes the front per protocol group: tfjs {resnet, mobile}, onnxruntime {resnet}', () => {
    seedResults(db);
    expect(frontierRows(db, { runtime: 'tfjs' }).map((r) => r.model).sort()).toEqual(['mobile_b', 'resnet_a']);
    // resnet is both fastest (1500) and most accurate on onnxruntime.
    expect(frontierRows(db, { runtime: 'onnxruntime' }).map((r) => r.model)).toEqual(['resnet_a']);
    // Without a runtime filter each group still gets its own front.
    expect(frontierRows(db).length).toBe(3);
  });

  it('attaches the USI gain (usi − baseline) and leaves it null without a baseline', () => {
    seedResults(db);
    const rows = resultRows(db, { runtime: 'tfjs' });
    const byModel = Object.fromEntries(rows.map((r) => [r.model, r]));
    expect(byModel.resnet_a.usiGain).toBeCloseTo(0.01, 12);
    expect(byModel.mobile_b.usiGain).toBeCloseTo(0.02, 12);
    expect(byModel.vit_c.usiGain).toBeCloseTo(0.05, 12);
    expect(byModel.vit_c.baselineTop1).toBe(0.9);
    expect(byModel.mixer_d.usiGain).toBeNull();
    const gains = usiGains(db, { dataset: 'mnist' });
    expect(gains.map((g) => [g.model, g.family])).toEqual([
      ['mobile_b', 'mobile'],
      ['resnet_a', 'cnn'],
      ['vit_c', 'transformer'],
    ]);
    expect(usiGains(db, { dataset: 'cifar10' })).toEqual([]);
  });

  it('keeps the newest result per model and protocol, and every night in the history', () => {
    const ids = seedResults(db);
    const nightRun = recordTrainingRun(db, ...training('resnet_a', 'usi', 0.985, null, { jobKey: 'train:resnet_a:usi:night2' }));
    recordBenchmark(db, ...bench('resnet_a', nightRun, 'tfjs', 120, null));
    const rows = resultRows(db, { runtime: 'tfjs', model: 'resnet_a' });
    expect(rows).toHaveLength(1);
    expect(rows[0].imagesPerSec).toBe(120);
    expect(rows[0].top1).toBe(0.985);
    expect(resultRows(db, { runtime: 'tfjs', model: 'resnet_a', allNights: true })).toHaveLength(2);
    const history = modelHistory(db, 'resnet_a', { runtime: 'tfjs' });
    expect(history.training.map((t) => [t.mode, t.top1])).toEqual([
      ['usi', 0.98],
      ['baseline', 0.97],
      ['usi', 0.985],
    ]);
    expect(history.benchmarks.map((b) => b.imagesPerSec)).toEqual([100, 120]);
    expect(history.training[0].trainingRunId).toBe(ids['resnet_a:usi']);
  });

  it('gives the chart the same rows as resultRows, with only the chart\'s fields', () => {
    const ids = seedResults(db);
    for (const [m, ips] of Object.entries({ resnet_a: 100, mobile_b: 400, vit_c: 200 })) recordBenchmark(db, ...bench(m, ids[`${m}:baseline`], 'tfjs', ips, null));
    // A newer night for one model: the chart keeps only its newest result, as the table does.
    const night2 = recordTrainingRun(db, ...training('resnet_a', 'usi', 0.985, null, { jobKey: 'train:resnet_a:usi:night2' }));
    recordBenchmark(db, ...bench('resnet_a', night2, 'tfjs', 120, null));
    const keys: Array<keyof ChartRow> = ['benchmarkId', 'model', 'family', 'params', 'gmacs', 'mode', 'top1', 'imagesPerSec', 'latencyP50', 'nightlyId', 'date'];
    const pick = (r: ChartRow) => Object.fromEntries(keys.map((k) => [k, r[k]]));
    for (const filter of [{ runtime: 'tfjs', mode: 'all' as const }, { runtime: 'tfjs' }, { runtime: 'tfjs', mode: 'baseline' as const }, { runtime: 'onnxruntime' }, {}]) {
      const chart = chartRows(db, filter);
      expect(chart.map(pick)).toEqual(resultRows(db, filter).map(pick));
      expect(chart.length).toBeGreaterThan(0);
    }
    const both = chartRows(db, { runtime: 'tfjs', mode: 'all' });
    expect(both.filter((r) => r.mode === 'baseline')).toHaveLength(3);
    expect(both.find((r) => r.model === 'resnet_a' && r.mode === 'usi')!.imagesPerSec).toBe(120);
  });

  it('lists the distinct filter values', () => {
    seedResults(db);
    const v = filterValues(db);
    expect(v.runtimes).toEqual(['onnxruntime', 'tfjs']);
    expect(v.backends).toEqual(['cpu', 'wasm']);
    expect(v.datasets).toEqual(['mnist']);
    expect(v.batchSizes).toEqual([64]);
    expect(v.families).toEqual(['cnn', 'mlp', 'mobile', 'transformer']);
    // the seed's recipes predate profiles: they were the reference
    expect(v.profiles).toEqual(['usi']);
  });

  it('keeps each recipe profile a protocol of its own: its own rows, newest and front', () => {
    seedResults(db);
    // a later night trains resnet_a with the light profile: slower and less accurate than the usi
    // resnet_a, it would be off a front shared with it and would replace it as "newest"
    const light = resolveRecipe({ profile: 'light' });
    const stamp = { jobKey: 'train:resnet_a:usi:light', pairKey: 'pair:resnet_a:light', cohortKey: 'cohort:resnet_a:light' };
    const runId = recordTrainingRun(db, ...training('resnet_a', 'usi', 0.9, null, { ...stamp, recipeHash: recipeHash(light), recipe: { ...light } }));
    recordBenchmark(db, ...bench('resnet_a', runId, 'tfjs', 50, null, { jobKey: 'bench:resnet_a:light' }));
    const rows = resultRows(db, { runtime: 'tfjs' });
    const resnets = rows.filter((r) => r.model === 'resnet_a').map((r) => [r.profile, r.top1, r.onFrontier]);
    expect(resnets.sort()).toEqual([['light', 0.9, true], ['usi', 0.98, true]]);
    expect(resultRows(db, { runtime: 'tfjs', profile: 'light' }).map((r) => r.model)).toEqual(['resnet_a']);
    expect(resultRows(db, { runtime: 'tfjs', profile: 'usi' }).map((r) => r.model).sort()).toEqual(['mixer_d', 'mobile_b', 'resnet_a', 'vit_c']);
    expect(filterValues(db).profiles).toEqual(['light', 'usi']);
    expect(chartRows(db, { runtime: 'tfjs', profile: 'light' }).map((r) => r.profile)).toEqual(['light']);
  });

  it('stores a job result once per night however often it is recorded', () => {
    const a = recordTrainingRun(db, ...training('vit_c', 'usi', 0.9, null));
    const b = recordTrainingRun(db, ...training('vit_c', 'usi', 0.9, null));
    expect(b).toBe(a);
    recordBenchmark(db, ...bench('vit_c', a, 'tfjs', 10, null));
    recordBenchmark(db, ...bench('vit_c', a, 'tfjs', 10, null));
    expect(db.select().from(trainingRuns).all()).toHaveLength(1);
    expect(db.select().from(benchmarkResults).all()).toHaveLength(1);
  });
});
