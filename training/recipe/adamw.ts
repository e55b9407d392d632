/**
 * AdamW as PyTorch's torch.optim.AdamW (decoupled weight decay, bias-corrected moments), with two
 * parameter groups: weights decay, biases and 1-D parameters (normalisation scales/shifts) do not.
 * The lr is passed to every step because the schedule owns it.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamWConfig {
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/**
 * Which parameters decay, as timm's param_groups_weight_decay: not biases, not 1-D tensors, and
 * not the class token or position embedding (timm ViT's no_weight_decay(); the roster's
 * ClassToken/PositionEmbedding layers name those weights `token` and `pos`).
 */
export function decays(variable: tf.Variable): boolean {
  if (variable.rank < 2) return false;
  return !/(^|\/)(bias|token|pos)(_\d+)?$/i.test(variable.name);
}

export interface AdamWState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class AdamW {
  private t = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  readonly decayMask: boolean[];

  constructor(
    readonly params: tf.Variable[],
    private readonly cfg: AdamWConfig,
    decayMask: boolean[] = params.map(decays),
  ) {
    if (decayMask.length !== params.length) throw new Error('AdamW: decayMask must have one entry per parameter');
    this.decayMask = decayMask;
    // tf.variable keeps its initial tensor alive beside itself; tidy releases it
    this.m = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.v = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  }

  get stepCount(): number {
    return this.t;
  }

  /** One update with grads in the order of `params` (a missing gradient is an error, not a skip). */
  step(grads: tf.Tensor[], lr: number): void {
    if (grads.length !== this.params.length) throw new Error(`AdamW: got ${grads.length} gradients for ${this.params.length} parameters`);
    this.t += 1;
    const { beta1, beta2, eps, weightDecay } = this.cfg;
    const bc1 = 1 - beta1 ** this.t;
    const sqrtBc2 = Math.sqrt(1 - beta2 ** this.t);
    const stepSize = lr / bc1;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), eps);
        const decayed = this.decayMask[i] && weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)));
        this.m[i].assign(m);
        this.v[i].assign(v);
      });
    });
  }

  /** Async: a GPU backend in Node cannot read tensors back synchronously. */
  async getState(): Promise<AdamWState> {
    const read = (xs: tf.Variable[]) => Promise.all(xs.map((x) => x.data() as Promise<Float32Array>));
    return { step: this.t, m: await read(this.m), v: await read(this.v) };
  }

  setState(state: AdamWState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) throw new Error('AdamW.setState: parameter count differs');
    this.t = state.step;
    state.m.forEach((data, i) => assignData(this.m[i], data));
    state.v.forEach((data, i) => assignData(this.v[i], data));
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}

/** Writes a flat array into a variable of the same size (shape kept). */
export function assignData(variable: tf.Variable, data: Float32Array): void {
  if (data.length !== variable.size) throw new Error(`size mismatch for ${variable.name}: ${data.length} vs ${variable.size}`);
  tf.tidy(() => variable.assign(tf.tensor(data, variable.shape, variable.dtype)));
}
