/**
 * What every backbone file builds with: a seeded source of initialisers and deterministic layer
 * names, so that one (architecture, seed) pair always gives the same initial weights and the same
 * layer names (checkpoints and exported graphs then line up across runs).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../common/rng.js';
import type { ModelConfig } from './registry.js';

export type Initializer = ReturnType<typeof tf.initializers.heNormal>;

export class Builder {
  private readonly rng: Rng;
  private readonly counts = new Map<string, number>();

  constructor(seed = 0) {
    this.rng = new Rng(seed);
  }

  /** A unique layer name (`what`, then `what_1`, `what_2`, … when it repeats). */
  name(what: string): string {
    const n = this.counts.get(what) ?? 0;
    this.counts.set(what, n + 1);
    return n === 0 ? what : `${what}_${n}`;
  }

  /** A fresh seed for a custom layer's own initialiser. */
  seed(): number {
    return this.rng.int(2 ** 31);
  }

  /** He (fan-in, truncated normal) for convolutions followed by ReLU-like activations. */
  he(): Initializer {
    return tf.initializers.heNormal({ seed: this.seed() });
  }

  /** Glorot uniform for linear layers (the Keras default, close to PyTorch's Linear init). */
  glorot(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.seed() });
  }

  /** Truncated normal with std 0.02: the ViT/DeiT init of tokens and position embeddings. */
  truncNormal(stddev = 0.02): Initializer {
    return tf.initializers.truncatedNormal({ mean: 0, stddev, seed: this.seed() });
  }
}

export function builderFor(config: ModelConfig): Builder {
  return new Builder(config.seed ?? 0);
}

/** The model's input: NHWC normalised images. */
export function imageInput(b: Builder, config: ModelConfig): tf.SymbolicTensor {
  return tf.input({ shape: config.inputShape, name: b.name('input') });
}
