/**
 * The USI recipe (docs/USI.md) as one plain value: every backbone trains with exactly
 * these numbers. Overrides are global (one `Partial<Recipe>` for a whole run or roster), never
 * per family, and every override changes the recipe hash that identifies the run.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UsageError } from '../../common/errors.js';
import type { AugmentConfig } from '../augment/index.js';
import { PROFILE_NAMES, RECIPE_PROFILES, type ProfileName } from './profiles.js';

export interface Recipe {
  /** Which profile (profiles.ts) the augmentation comes from; `usi` is the reference. */
  profile: ProfileName;
  /** Weight of the KD term; 0 is the baseline: the same recipe without a teacher. */
  alphaKd: number;
  /** Softmax temperature of the KD term (the KL term is multiplied by τ², see kd-loss.ts). */
  temperature: number;
  /** Drop the ground-truth cross-entropy and learn from the teacher alone. */
  kdOnly: boolean;
  /** AdamW. Weight decay is decoupled and skipped for biases and 1-D (normalisation) parameters. */
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Linear warm-up from warmupLr to lr, cosine decay to minLr, then a cool-down at minLr. */
  warmupLr: number;
  minLr: number;
  /** Warm-up and cool-down as fractions of the run's optimiser steps (see schedule.ts for why). */
  warmupFraction: number;
  cooldownFraction: number;
  /** A fixed EMA decay per step, or null to derive it from emaHalfLifeFraction of the run's steps. */
  emaDecay: number | null;
  emaHalfLifeFraction: number;
  /** Batch augmentation; mixup/cutmix targets feed the loss directly, so there is no label smoothing. */
  augment: AugmentConfig;
}

/**
 * The reference defaults. The reference run is 300 epochs plus 10 cool-down epochs with 5 warm-up
 * epochs, so warm-up is 5/310 and cool-down 10/310 of the whole run; its EMA decay 0.99996 at
 * batch 1024 on ImageNet is a half-life of about 17k steps, 4.5% of the run.
 */
export const USI_RECIPE: Readonly<Recipe> = Object.freeze({
  profile: 'usi',
  alphaKd: 5,
  temperature: 1,
  kdOnly: false,
  lr: 2e-3,
  weightDecay: 2e-2,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  warmupLr: 1e-4,
  minLr: 1e-6,
  warmupFraction: 5 / 310,
  cooldownFraction: 10 / 310,
  emaDecay: null,
  emaHalfLifeFraction: 0.045,
  augment: RECIPE_PROFILES.usi.augment,
});

const KEYS = Object.keys(USI_RECIPE) as Array<keyof Recipe>;

/** A recipe number in a range (open or closed at each end), its message naming the field and the range. */
function inRange(name: keyof Recipe, lo: number, hi: number, loOpen = false, hiOpen = false) {
  const range = `${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`;
  const error = (issue: { input?: unknown }) => `recipe.${name} is ${String(issue.input)}, it must be a number in ${range}; fix the recipe override`;
  return z.number({ error }).refine((v) => Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi), { error });
}

/** What a recipe may hold; the cross-field rules follow the per-field ranges. */
const RecipeChecks = z
  .object({
    alphaKd: inRange('alphaKd', 0, 1e6),
    temperature: inRange('temperature', 0, 1e3, true),
    lr: inRange('lr', 0, 10, true),
    weightDecay: inRange('weightDecay', 0, 10),
    beta1: inRange('beta1', 0, 1, false, true),
    beta2: inRange('beta2', 0, 1, false, true),
    eps: inRange('eps', 0, 1, true),
    warmupLr: inRange('warmupLr', 0, 10),
    minLr: z.number(),
    warmupFraction: inRange('warmupFraction', 0, 1),
    cooldownFraction: inRange('cooldownFraction', 0, 1),
    emaDecay: inRange('emaDecay', 0, 1, false, true).nullable(),
    emaHalfLifeFraction: inRange('emaHalfLifeFraction', 0, 1, true),
  })
  .superRefine((r, ctx) => {
    const minLr = inRange('minLr', 0, r.lr).safeParse(r.minLr);
    if (!minLr.success) ctx.addIssue({ code: 'custom', message: minLr.error.issues[0].message });
    if (r.warmupFraction + r.cooldownFraction >= 1) {
      ctx.addIssue({ code: 'custom', message: 'recipe.warmupFraction + recipe.cooldownFraction must be below 1 so that the cosine phase has steps' });
    }
  });

/**
 * The defaults with global overrides applied, checked. The profile's values come first, so a field
 * set beside it still wins. Unknown keys are refused (a typo must not silently do nothing).
 */
export function resolveRecipe(overrides: Partial<Recipe> = {}): Recipe {
  for (const key of Object.keys(overrides)) {
    if (!KEYS.includes(key as keyof Recipe)) {
      throw new UsageError(`unknown recipe field '${key}'; the fields are ${KEYS.join(', ')}`);
    }
  }
  const profile = overrides.profile ?? USI_RECIPE.profile;
  if (!PROFILE_NAMES.includes(profile)) {
    throw new UsageError(`unknown recipe profile '${String(profile)}'; the profiles are ${PROFILE_NAMES.join(', ')}`);
  }
  const r: Recipe = { ...USI_RECIPE, augment: RECIPE_PROFILES[profile].augment, ...overrides, profile };
  // every message names its field and the fix, so the first problem is the one line to show
  const checked = RecipeChecks.safeParse(r);
  if (!checked.success) throw new UsageError(checked.error.issues[0].message);
  if (r.kdOnly && r.alphaKd === 0) {
    throw new UsageError('recipe.kdOnly needs recipe.alphaKd > 0: with neither labels nor a teacher there is nothing to learn from');
  }
  return r;
}

/** The baseline of a run: its recipe without the teacher (what --teacher none and the teacher itself train with). */
export function baselineRecipe(overrides: Partial<Recipe> = {}): Recipe {
  return resolveRecipe({ ...overrides, alphaKd: 0, kdOnly: false });
}

/** JSON with object keys sorted at every level, so equal recipes always serialise the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot hash non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 (hex) of the recipe's canonical JSON: the identity recorded with every result. */
export function recipeHash(recipe: Recipe): string {
  return createHash('sha256').update(canonicalJson(recipe)).digest('hex');
}

/** Whether the recipe distils from a teacher (alphaKd 0 is the no-teacher baseline). */
export function usesTeacher(recipe: Recipe): boolean {
  return recipe.alphaKd > 0;
}
