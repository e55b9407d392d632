import { describe, expect, it } from 'vitest';
import { RECIPE_PROFILES } from './profiles.js';
import { baselineRecipe, canonicalJson, recipeHash, resolveRecipe, USI_RECIPE } from './recipe.js';

describe('USI recipe', () => {
  it('has the reference defaults', () => {
    const r = resolveRecipe();
    expect(r).toMatchObject({ alphaKd: 5, temperature: 1, kdOnly: false, lr: 2e-3, weightDecay: 2e-2, warmupLr: 1e-4, minLr: 1e-6, emaDecay: null, emaHalfLifeFraction: 0.045 });
    expect(r.warmupFraction * 310).toBeCloseTo(5, 12);
    expect(r.cooldownFraction * 310).toBeCloseTo(10, 12);
    expect(r.augment.randAugment).toMatchObject({ numOps: 2, magnitude: 7, magnitudeStd: 0.5 });
    expect(r.augment.mix).toMatchObject({ mixupAlpha: 0.8, cutmixAlpha: 1, switchProb: 0.5 });
  });

  it('hashes canonically: key order does not matter, any value does', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    const h = recipeHash(resolveRecipe());
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(resolveRecipe()).reverse()) as typeof USI_RECIPE;
    expect(recipeHash({ ...reordered })).toBe(h);
    expect(recipeHash(resolveRecipe({ alphaKd: 0 }))).not.toBe(h);
    expect(recipeHash(resolveRecipe({ temperature: 2 }))).not.toBe(h);
    expect(recipeHash(resolveRecipe({ augment: { ...USI_RECIPE.augment, hflip: false } }))).not.toBe(h);
  });

  it('refuses unknown fields and out-of-range values with a clear message', () => {
    expect(() => resolveRecipe({ alphakd: 3 } as never)).toThrow(/unknown recipe field 'alphakd'; the fields are profile, alphaKd, /);
    expect(() => resolveRecipe({ temperature: 0 })).toThrow(/recipe.temperature is 0, it must be a number in \(0, 1000\]/);
    expect(() => resolveRecipe({ lr: Number.NaN })).toThrow(/recipe.lr is NaN/);
    expect(() => resolveRecipe({ kdOnly: true, alphaKd: 0 })).toThrow(/kdOnly needs recipe.alphaKd > 0/);
    expect(() => resolveRecipe({ warmupFraction: 0.6, cooldownFraction: 0.5 })).toThrow(/must be below 1/);
    expect(() => resolveRecipe({ emaDecay: 1 })).toThrow(/recipe.emaDecay is 1/);
  });

  it('takes the augmentation from the profile, keeps everything else, and names the profile in the hash', () => {
    const usi = resolveRecipe();
    expect(usi.profile).toBe('usi');
    expect(usi.augment).toEqual({ randomResizedCrop: { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] }, hflip: true, randAugment: { numOps: 2, magnitude: 7, magnitudeStd: 0.5 }, mix: { mixupAlpha: 0.8, cutmixAlpha: 1, switchProb: 0.5, prob: 1 } });
    const light = resolveRecipe({ profile: 'light' });
    expect(light.augment).toEqual({ randomResizedCrop: { scale: [0.35, 1], ratio: [3 / 4, 4 / 3] }, hflip: true, randAugment: null, mix: null });
    expect(resolveRecipe({ profile: 'plain' }).augment).toEqual({ randomResizedCrop: null, hflip: false, randAugment: null, mix: null });
    // the optimiser, schedule, KD and EMA are the recipe's whatever the profile
    const { profile: _a, augment: _b, ...rest } = light;
    const { profile: _c, augment: _d, ...usiRest } = usi;
    expect(rest).toEqual(usiRest);
    // the baseline of a profile is that profile without the teacher
    expect(baselineRecipe({ profile: 'light' })).toMatchObject({ profile: 'light', alphaKd: 0, augment: RECIPE_PROFILES.light.augment });
    // an explicit augment beside a profile still wins
    expect(resolveRecipe({ profile: 'plain', augment: usi.augment }).augment).toEqual(usi.augment);
    const hashes = new Set((['usi', 'light', 'plain'] as const).map((p) => recipeHash(resolveRecipe({ profile: p }))));
    expect(hashes.size).toBe(3);
    expect(() => resolveRecipe({ profile: 'strong' as never })).toThrow(/unknown recipe profile 'strong'; the profiles are usi, light, plain/);
  });
});
