/**
 * The learning-rate schedule: linear warm-up from warmupLr to lr, cosine decay to minLr, then a
 * cool-down at minLr; stepped once per optimiser step (not per epoch), which short runs need.
 *
 * Warm-up and cool-down are fractions of the run's steps (5/310 and 10/310 by default, the
 * reference's 5 warm-up and 10 cool-down epochs out of 310). A fixed epoch count would not scale:
 * "5 epochs" is a whole 2-epoch CPU run. Warm-up is at least one step whenever the fraction is
 * positive, so the first step always uses warmupLr.
 */
import type { Recipe } from './recipe.js';

export interface SchedulePlan {
  totalSteps: number;
  warmupSteps: number;
  cooldownSteps: number;
  lr: number;
  warmupLr: number;
  minLr: number;
}

export function planSchedule(
  recipe: Pick<Recipe, 'lr' | 'warmupLr' | 'minLr' | 'warmupFraction' | 'cooldownFraction'>,
  totalSteps: number,
): SchedulePlan {
  if (!Number.isInteger(totalSteps) || totalSteps < 1) throw new Error(`planSchedule: totalSteps must be a positive integer, got ${totalSteps}`);
  let warmupSteps = recipe.warmupFraction > 0 ? Math.max(1, Math.ceil(recipe.warmupFraction * totalSteps - 1e-9)) : 0;
  let cooldownSteps = Math.floor(recipe.cooldownFraction * totalSteps + 1e-9);
  // a very short run still needs one cosine step; give warm-up/cool-down back first
  while (warmupSteps + cooldownSteps >= totalSteps && (warmupSteps > 0 || cooldownSteps > 0)) {
    if (cooldownSteps > 0) cooldownSteps--;
    else warmupSteps--;
  }
  return { totalSteps, warmupSteps, cooldownSteps, lr: recipe.lr, warmupLr: recipe.warmupLr, minLr: recipe.minLr };
}

/** The lr for optimiser step `step` (0-based), the value PyTorch's LinearLR → CosineAnnealingLR → constant gives. */
export function lrAt(plan: SchedulePlan, step: number): number {
  const { warmupSteps, cooldownSteps, totalSteps, lr, warmupLr, minLr } = plan;
  if (step < warmupSteps) return warmupLr + ((lr - warmupLr) * step) / warmupSteps;
  const cosineSteps = totalSteps - warmupSteps - cooldownSteps;
  const k = step - warmupSteps;
  if (k >= cosineSteps) return minLr;
  return minLr + (0.5 * (lr - minLr) * (1 + Math.cos((Math.PI * k) / cosineSteps)));
}
