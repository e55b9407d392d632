import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { overlay, readConfigFile, validateConfig } from './config.js';
import { checkRoster } from './nightly.js';
import { planJobs } from './plan.js';
import { PRESETS, PRESET_NAMES, parsePresetName } from './presets.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-cfg-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('nightly config', () => {
  it('names the path of every bad field', () => {
    const bad = { ...PRESETS.quick, train: { epochs: 0, batchSize: 64 }, bench: { batchSize: 8, targets: [{ runtime: 'tensorrt' }] }, extra: 1 };
    let message = '';
    try {
      validateConfig(bad, 'my.yaml');
    } catch (err) {
      message = (err as Error).message;
      expect((err as Error).name).toBe('UsageError');
    }
    expect(message).toMatch(/^invalid nightly config my\.yaml: /);
    expect(message).toContain('train.epochs: ');
    expect(message).toContain('bench.targets[0].runtime: ');
    expect(message).toMatch(/\(top level\): .*extra/);
    expect(message.includes('\n')).toBe(false);
  });

  it('reads YAML and JSON files, and says which syntax is broken', () => {
    const yml = path.join(dir, 'c.yaml');
    fs.writeFileSync(yml, 'dataset: cifar10\nroster: [resnet8_s]\n');
    expect(readConfigFile(yml)).toEqual({ dataset: 'cifar10', roster: ['resnet8_s'] });
    const json = path.join(dir, 'c.json');
    fs.writeFileSync(json, '{"dataset": "mnist",}');
    expect(() => readConfigFile(json)).toThrowError(/config .*c\.json is not valid JSON/);
    fs.writeFileSync(yml, '- just\n- a list\n');
    expect(() => readConfigFile(yml)).toThrowError(/must hold a mapping of fields .* not a list/);
    expect(() => readConfigFile(path.join(dir, 'missing.yaml'))).toThrowError(/cannot read config .*missing\.yaml/);
  });

  it('overlays a file on a preset field by field, lists replacing', () => {
    const merged = overlay(PRESETS.quick as Record<string, unknown>, { train: { epochs: 5 }, roster: ['mixer_s'] });
    const cfg = validateConfig(merged, 'overlay');
    expect(cfg.train).toEqual({ epochs: 5, batchSize: 64 });
    expect(cfg.roster).toEqual(['mixer_s']);
    expect(cfg.dataset).toBe('mnist');
  });

  it('every preset is valid, names real roster models and covers every family', async () => {
    const { getModelEntry } = await import('../training/models/index.js');
    for (const name of PRESET_NAMES) {
      const cfg = validateConfig(PRESETS[name], name);
      checkRoster(cfg);
      expect(new Set(cfg.roster.map((m) => getModelEntry(m).family)), name).toEqual(new Set(['cnn', 'mobile', 'transformer', 'mlp']));
    }
    expect(() => parsePresetName('fast')).toThrowError(/unknown preset 'fast'/);
  });

  it('refuses an unknown roster model before anything runs', () => {
    const cfg = validateConfig({ ...PRESETS.quick, roster: ['resnet8_s', 'resnet9000'] }, 'x');
    expect(() => checkRoster(cfg)).toThrowError(/unknown model 'resnet9000'/);
  });
});

describe('job plan', () => {
  it('keys change with any input or the code version, and pair a USI run with its baseline', () => {
    const cfg = validateConfig({ ...PRESETS.quick, seeds: 1 }, 'quick');
    const a = planJobs(cfg, 'v1');
    expect(a.map((j) => j.key)).toEqual(planJobs(cfg, 'v1').map((j) => j.key));
    expect(new Set(a.map((j) => j.key)).size).toBe(a.length);
    const b = planJobs(cfg, 'v2');
    expect(a.every((j, i) => j.key !== b[i].key)).toBe(true);
    const seed1 = planJobs({ ...cfg, seeds: [1] }, 'v1');
    expect(a.every((j, i) => j.key !== seed1[i].key)).toBe(true);
    // quick: 1 teacher + 4 models × (USI + baseline) + 4 × 2 runtimes.
    expect(a.map((j) => j.kind).filter((k) => k === 'train')).toHaveLength(8);
    expect(a.filter((j) => j.kind === 'bench')).toHaveLength(8);
    const usi = a.find((j) => j.label === 'USI mixer_s')!;
    const base = a.find((j) => j.label === 'baseline mixer_s')!;
    expect(usi.pairKey).toBe(base.pairKey);
    expect(usi.deps).toEqual([a[0].key]);
    expect(base.deps).toEqual([]);
    expect(usi.inputs.kind === 'train' && base.inputs.kind === 'train' && usi.inputs.recipeHash !== base.inputs.recipeHash).toBe(true);
  });

  it('trains every backbone at each seed against one teacher, pairs by seed, and benchmarks once', () => {
    const cfg = validateConfig({ ...PRESETS.quick, seeds: [3, 7] }, 'quick');
    expect(cfg.seeds).toEqual([3, 7]);
    expect(validateConfig({ ...PRESETS.quick, seeds: 3 }, 'q').seeds).toEqual([0, 1, 2]);
    expect(() => validateConfig({ ...PRESETS.quick, seeds: [1, 1] }, 'q')).toThrowError(/seeds: seeds must differ/);
    expect(() => validateConfig({ ...PRESETS.quick, seeds: 0 }, 'q')).toThrowError(/seeds/);
    const plan = planJobs(cfg, 'v1');
    expect(plan.filter((j) => j.kind === 'teacher')).toHaveLength(1);
    expect(plan[0].inputs.kind === 'teacher' && plan[0].inputs.seed).toBe(3);
    const train = plan.filter((j) => j.kind === 'train');
    expect(train).toHaveLength(4 * 2 * 2);
    const mixer = train.filter((j) => j.inputs.kind === 'train' && j.inputs.model === 'mixer_s');
    expect(mixer.map((j) => j.label)).toEqual(['USI mixer_s seed 3', 'baseline mixer_s seed 3', 'USI mixer_s seed 7', 'baseline mixer_s seed 7']);
    expect(new Set(mixer.map((j) => j.cohortKey)).size).toBe(1);
    expect(mixer[0].pairKey).toBe(mixer[1].pairKey);
    expect(mixer[0].pairKey).not.toBe(mixer[2].pairKey);
    expect(train.every((j) => j.inputs.kind !== 'train' || j.inputs.mode === 'baseline' || j.deps[0] === plan[0].key)).toBe(true);
    // one benchmark per backbone and target, of the USI run at the first seed
    const benches = plan.filter((j) => j.kind === 'bench');
    expect(benches).toHaveLength(4 * 2);
    expect(benches.filter((b) => b.inputs.kind === 'bench' && b.inputs.model === 'mixer_s').every((b) => b.deps[0] === mixer[0].key)).toBe(true);
  });

  it('trains the teacher and every run with the config\'s profile, and keys the jobs by it', async () => {
    const { baselineRecipe, recipeHash, resolveRecipe } = await import('../training/recipe/recipe.js');
    const cfg = validateConfig({ ...PRESETS.quick, seeds: 1, profile: 'light' }, 'q');
    const plan = planJobs(cfg, 'v1');
    expect(plan[0].inputs.kind === 'teacher' && plan[0].inputs.recipe).toEqual({ profile: 'light' });
    const train = plan.flatMap((j) => (j.inputs.kind === 'train' ? [j.inputs] : []));
    expect(new Set(train.map((t) => t.recipeHash))).toEqual(new Set([recipeHash(resolveRecipe({ profile: 'light' })), recipeHash(baselineRecipe({ profile: 'light' }))]));
    const other = planJobs(validateConfig({ ...PRESETS.quick, seeds: 1, profile: 'plain' }, 'q'), 'v1');
    expect(plan.every((j, i) => j.key !== other[i].key)).toBe(true);
    expect(validateConfig({ ...PRESETS.quick, profile: undefined }, 'q').profile).toBe('usi');
    expect(() => validateConfig({ ...PRESETS.quick, profile: 'strong' }, 'q')).toThrowError(/profile: /);
    expect(() => validateConfig({ ...PRESETS.quick, recipe: { profile: 'light' } }, 'q')).toThrowError(/recipe: the profile is the top-level field `profile`/);
  });
});
