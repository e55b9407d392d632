/**
 * The custom tfjs layers of the roster: only what tfjs-layers lacks. Each one is registered with
 * tf.serialization.registerClass (model.save → tf.loadLayersModel round-trips) and its getConfig()
 * carries everything needed to re-create its computation (the ONNX exporter and the MAC counter
 * read these). Shapes are channels-last; N = batch, T = tokens, C/D = channels.
 */
import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Kwargs = Record<string, unknown>;

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/**
 * Hard swish (MobileNetV3): y = x · relu6(x + 3) / 6, elementwise, any shape.
 * ONNX: HardSwish. MACs: none counted (elementwise).
 */
export class HardSwish extends tf.layers.Layer {
  static readonly className = 'HardSwish';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    });
  }
}
tf.serialization.registerClass(HardSwish);

/**
 * Hard sigmoid as PyTorch/MobileNetV3 define it: y = relu6(x + 3) / 6 (tfjs' built-in
 * 'hardSigmoid' is the Keras 0.2·x + 0.5 variant, a different function).
 * ONNX: HardSigmoid(alpha = 1/6, beta = 0.5). Elementwise, any shape.
 */
export class HardSigmoid extends tf.layers.Layer {
  static readonly className = 'HardSigmoid';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => tf.div(tf.relu6(tf.add(single(inputs), 3)), 6));
  }
}
tf.serialization.registerClass(HardSigmoid);

/**
 * Squeeze-excitation scale: inputs [x: N×H×W×C, s: N×C] → x · s broadcast over H and W
 * (y[n,h,w,c] = x[n,h,w,c] · s[n,c]). No weights. ONNX: Unsqueeze s to N×C×1×1 then Mul.
 * MACs: N·H·W·C multiplications if counted.
 */
export class ChannelScale extends tf.layers.Layer {
  static readonly className = 'ChannelScale';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0];
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [x, s] = inputs as tf.Tensor[];
      const [n, c] = s.shape as number[];
      return tf.mul(x, tf.reshape(s, [n, 1, 1, c]));
    });
  }
}
tf.serialization.registerClass(ChannelScale);

export interface AffineArgs extends LayerArgs {
  /** Initial value of every scale entry (1 for ResMLP's Affine, small for LayerScale). */
  initScale?: number;
  /** Whether to learn the offset beta; false gives LayerScale (CaiT/ConvNeXt). */
  center?: boolean;
}

/**
 * Per-channel affine map on the last axis, any rank: y = alpha ⊙ x + beta, alpha and beta of
 * shape [C]. ResMLP's Affine (its replacement for LayerNorm, center = true, initScale = 1) and,
 * with center = false, layer scale (y = gamma ⊙ x). Weights: 'alpha' [C], 'beta' [C] if center.
 * ONNX: Mul (+ Add). Trainable params: C or 2C.
 */
export class Affine extends tf.layers.Layer {
  static readonly className = 'Affine';
  readonly initScale: number;
  readonly center: boolean;
  private alpha: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(args: AffineArgs = {}) {
    super(args);
    this.initScale = args.initScale ?? 1;
    this.center = args.center ?? true;
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const c = shape[shape.length - 1] as number;
    this.alpha = this.addWeight('alpha', [c], 'float32', tf.initializers.constant({ value: this.initScale }));
    if (this.center) this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const y = tf.mul(single(inputs), this.alpha!.read());
      return this.beta ? tf.add(y, this.beta.read()) : y;
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initScale: this.initScale, center: this.center };
  }
}
tf.serialization.registerClass(Affine);

export interface TokenArgs extends LayerArgs {
  /** Std of the truncated-normal init (ViT/DeiT use 0.02). */
  stddev?: number;
  /** Seed of that init, so a seeded model starts identical. */
  seed?: number;
}

function truncNormal(args: { stddev: number; seed: number }) {
  return tf.initializers.truncatedNormal({ mean: 0, stddev: args.stddev, seed: args.seed });
}

/**
 * Prepends a learned class token: N×T×D → N×(T+1)×D, out[:,0,:] = token, out[:,1:,:] = x.
 * Weight 'token' [1, 1, D]. ONNX: Expand token to N×1×D, Concat on axis 1. Params: D.
 */
export class ClassToken extends tf.layers.Layer {
  static readonly className = 'ClassToken';
  readonly stddev: number;
  readonly seed: number;
  private token: tf.LayerVariable | null = null;

  constructor(args: TokenArgs = {}) {
    super(args);
    this.stddev = args.stddev ?? 0.02;
    this.seed = args.seed ?? 0;
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as tf.Shape)[2] as number;
    this.token = this.addWeight('token', [1, 1, d], 'float32', truncNormal(this));
    this.built = true;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, t, d] = inputShape as tf.Shape;
    return [n, t === null ? null : t + 1, d];
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const token = tf.tile(this.token!.read(), [x.shape[0], 1, 1]);
      return tf.concat([token, x], 1);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed };
  }
}
tf.serialization.registerClass(ClassToken);

/**
 * Adds a learned position embedding: N×T×D → N×T×D, y = x + pos, weight 'pos' [1, T, D] fixed
 * at build time (so the resolution is part of the architecture, as in ViT). ONNX: Add. Params T·D.
 */
export class PositionEmbedding extends tf.layers.Layer {
  static readonly className = 'PositionEmbedding';
  readonly stddev: number;
  readonly seed: number;
  private pos: tf.LayerVariable | null = null;

  constructor(args: TokenArgs = {}) {
    super(args);
    this.stddev = args.stddev ?? 0.02;
    this.seed = args.seed ?? 0;
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [, t, d] = inputShape as tf.Shape;
    this.pos = this.addWeight('pos', [1, t as number, d as number], 'float32', truncNormal(this));
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => tf.add(single(inputs), this.pos!.read()));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed };
  }
}
tf.serialization.registerClass(PositionEmbedding);

/**
 * Takes one token: N×T×D → N×D, y = x[:, index, :] (index 0 = the class token).
 * ONNX: Gather(axis 1, index). No weights.
 */
export class SelectToken extends tf.layers.Layer {
  static readonly className = 'SelectToken';
  readonly index: number;
  constructor(args: LayerArgs & { index?: number } = {}) {
    super(args);
    this.index = args.index ?? 0;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, , d] = inputShape as tf.Shape;
    return [n, d];
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [n, , d] = x.shape as number[];
      return tf.reshape(tf.slice(x, [0, this.index, 0], [-1, 1, -1]), [n, d]);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), index: this.index };
  }
}
tf.serialization.registerClass(SelectToken);

/**
 * The weight-free core of multi-head self-attention; the q/k/v and output projections around it
 * are ordinary Dense layers (2-D matmuls, fast everywhere). Input: N×T×3D, the concatenation
 * [q | k | v] along the last axis with each of q, k, v laid out as H heads of d = D/H channels
 * (channel j of q belongs to head floor(j/d)), i.e. PyTorch timm's qkv Linear output order.
 * Per head: A = softmax(q kᵀ / √d) (softmax over keys), out = A v; heads are concatenated back
 * to N×T×D in the same order. ONNX: Reshape/Transpose/MatMul/Softmax/MatMul.
 * MACs: 2·N·H·T²·d (the two batched matmuls). No weights.
 */
export class SelfAttention extends tf.layers.Layer {
  static readonly className = 'SelfAttention';
  readonly numHeads: number;
  constructor(args: LayerArgs & { numHeads?: number } = {}) {
    super(args);
    this.numHeads = args.numHeads ?? 1;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, t, c3] = inputShape as tf.Shape;
    if ((c3 as number) % (3 * this.numHeads) !== 0) {
      throw new Error(`SelfAttention: ${c3} input channels are not 3 × ${this.numHeads} heads × a whole head width`);
    }
    return [n, t, (c3 as number) / 3];
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const qkv = single(inputs);
      const [n, t, c3] = qkv.shape;
      const h = this.numHeads;
      const d = c3 / 3 / h;
      // N×T×3H×d → N×3H×T×d, then split into q, k, v of N×H×T×d each.
      const heads = tf.transpose(tf.reshape(qkv, [n, t, 3 * h, d]), [0, 2, 1, 3]);
      const [q, k, v] = tf.split(heads, 3, 1).map((p) => tf.reshape(p, [n * h, t, d]));
      const attn = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d)));
      const out = tf.reshape(tf.matMul(attn, v), [n, h, t, d]);
      return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [n, t, h * d]);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads };
  }
}
tf.serialization.registerClass(SelfAttention);

/**
 * Layer normalisation over the last axis, any rank: with mu and var the mean and (biased)
 * variance of x over the last axis, y = (x − mu) / sqrt(var + epsilon) · gamma + beta; weights
 * 'gamma' [C] (init 1) and 'beta' [C] (init 0). The same function and weights as tfjs'
 * LayerNormalization (and torch.nn.LayerNorm), written with plain reductions because the built-in
 * (tile + batchNorm) is ~50× slower forward and backward on the wasm backend.
 * ONNX: LayerNormalization(axis = −1, epsilon). Params: 2C.
 */
export class LayerNorm extends tf.layers.Layer {
  static readonly className = 'LayerNorm';
  readonly epsilon: number;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(args: LayerArgs & { epsilon?: number } = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-6;
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const c = shape[shape.length - 1] as number;
    this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const centred = tf.sub(x, tf.mean(x, -1, true));
      const variance = tf.mean(tf.square(centred), -1, true);
      const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normed, this.gamma!.read()), this.beta!.read());
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(LayerNorm);
