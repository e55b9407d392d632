/**
 * Exponential moving average of all of a model's weights, batch-norm moving statistics included
 * (timm's ModelEmaV2 averages the whole state dict), updated after every optimiser step.
 */
import * as tf from '@tensorflow/tfjs';
import { assignData } from './adamw.js';

/** The per-step decay whose half-life is `halfLifeSteps`: decay^h = 1/2. */
export function decayFromHalfLife(halfLifeSteps: number): number {
  if (!(halfLifeSteps > 0)) throw new Error(`decayFromHalfLife: half-life must be positive, got ${halfLifeSteps}`);
  return Math.pow(0.5, 1 / halfLifeSteps);
}

/** The recipe's EMA decay for a run: the given one, else a half-life of a fraction of the run's steps. */
export function emaDecayFor(recipe: { emaDecay: number | null; emaHalfLifeFraction: number }, totalSteps: number): number {
  return recipe.emaDecay ?? decayFromHalfLife(recipe.emaHalfLifeFraction * totalSteps);
}

export class Ema {
  readonly shadow: tf.Variable[];

  /** Starts as a copy of `weights` (the model's current state). */
  constructor(
    readonly weights: tf.Variable[],
    readonly decay: number,
  ) {
    if (!(decay >= 0 && decay < 1)) throw new Error(`Ema: decay must be in [0, 1), got ${decay}`);
    // tf.variable keeps its initial tensor alive beside itself; tidy releases it
    this.shadow = weights.map((w) => tf.tidy(() => tf.variable(w.clone(), false)));
  }

  update(): void {
    const d = this.decay;
    tf.tidy(() => {
      this.weights.forEach((w, i) => {
        // shadow + (1 - d)(w - shadow): one fewer multiply than d·shadow + (1 - d)·w
        this.shadow[i].assign(tf.add(this.shadow[i], tf.mul(tf.sub(w, this.shadow[i]), 1 - d)));
      });
    });
  }

  /** Async: a GPU backend in Node cannot read tensors back synchronously. */
  getState(): Promise<Float32Array[]> {
    return Promise.all(this.shadow.map((s) => s.data() as Promise<Float32Array>));
  }

  setState(state: Float32Array[]): void {
    if (state.length !== this.shadow.length) throw new Error('Ema.setState: weight count differs');
    state.forEach((data, i) => assignData(this.shadow[i], data));
  }

  dispose(): void {
    for (const s of this.shadow) s.dispose();
  }
}
