/**
 * Blocks that work on token sequences N×T×D (transformers, MLP-only nets) and on channels-last
 * maps with LayerNorm (ConvNeXt). Dense layers on N×T×D act on the last axis (one 2-D matmul).
 */
import * as tf from '@tensorflow/tfjs';
import type { Builder } from './builder.js';
import { add, channels, dense, layerNorm, type Act } from './blocks.js';
import { Affine, ClassToken, PositionEmbedding, SelectToken, SelfAttention } from './layers.js';

type T = tf.SymbolicTensor;

/** Layer scale (y = gamma ⊙ x, gamma initialised to `init`). */
export function layerScale(b: Builder, x: T, init: number): T {
  return new Affine({ initScale: init, center: false, name: b.name('ls') }).apply(x) as T;
}

/** ResMLP's Affine norm (alpha ⊙ x + beta, alpha = 1, beta = 0 at init). */
export function affineNorm(b: Builder, x: T): T {
  return new Affine({ initScale: 1, center: true, name: b.name('aff') }).apply(x) as T;
}

/** Two-layer MLP on the last axis: dense(hidden, act) → dense(out). */
export function mlp(b: Builder, x: T, hidden: number, out: number, act: Act): T {
  return dense(b, dense(b, x, hidden, act), out);
}

/** Multi-head self-attention: dense(3D) → SelfAttention → dense(D) (timm's qkv + proj). */
export function attention(b: Builder, x: T, numHeads: number): T {
  const d = channels(x);
  const qkv = dense(b, x, 3 * d);
  const mixed = new SelfAttention({ numHeads, name: b.name('attn') }).apply(qkv) as T;
  return dense(b, mixed, d);
}

export interface PatchEmbedOptions {
  patch: number;
  dim: number;
  classToken: boolean;
  positionEmbedding: boolean;
}

/** Non-overlapping p×p patches → linear embedding (a p×p stride-p conv) → N×T×D tokens. */
export function patchEmbed(b: Builder, x: T, o: PatchEmbedOptions): T {
  const maps = tf.layers
    .conv2d({ filters: o.dim, kernelSize: o.patch, strides: o.patch, padding: 'valid', kernelInitializer: b.glorot(), name: b.name('patch_embed') })
    .apply(x) as T;
  return mapsToTokens(b, maps, o);
}

/** N×H×W×D maps → N×(H·W)×D tokens, with an optional class token and position embedding. */
export function mapsToTokens(b: Builder, maps: T, o: { classToken?: boolean; positionEmbedding?: boolean }): T {
  const [, h, w, d] = maps.shape as number[];
  let tokens = tf.layers.reshape({ targetShape: [h * w, d], name: b.name('to_tokens') }).apply(maps) as T;
  if (o.classToken) tokens = new ClassToken({ seed: b.seed(), name: b.name('cls_token') }).apply(tokens) as T;
  if (o.positionEmbedding) tokens = new PositionEmbedding({ seed: b.seed(), name: b.name('pos_embed') }).apply(tokens) as T;
  return tokens;
}

/** N×(H·W)×D tokens → N×H×W×D maps. */
export function tokensToMaps(b: Builder, tokens: T, h: number, w: number): T {
  return tf.layers.reshape({ targetShape: [h, w, channels(tokens)], name: b.name('to_maps') }).apply(tokens) as T;
}

/** Pre-norm transformer block: x + MHSA(LN(x)); x + MLP(LN(x)). */
export function transformerBlock(b: Builder, x: T, numHeads: number, mlpRatio: number, act: Act = 'gelu'): T {
  const d = channels(x);
  x = add(b, x, attention(b, layerNorm(b, x), numHeads));
  return add(b, x, mlp(b, layerNorm(b, x), Math.round(d * mlpRatio), d, act));
}

/** Swap the token and channel axes: N×T×D ↔ N×D×T. */
export function transposeTokens(b: Builder, x: T): T {
  return tf.layers.permute({ dims: [2, 1], name: b.name('transpose') }).apply(x) as T;
}

/** MLP-Mixer block: token mixing x + Tᵀ(MLP_T(Tᵀ(LN x))); channel mixing x + MLP_C(LN x). */
export function mixerBlock(b: Builder, x: T, tokenHidden: number, channelHidden: number): T {
  const [, t, d] = x.shape as number[];
  const mixed = transposeTokens(b, mlp(b, transposeTokens(b, layerNorm(b, x)), tokenHidden, t, 'gelu'));
  x = add(b, x, mixed);
  return add(b, x, mlp(b, layerNorm(b, x), channelHidden, d, 'gelu'));
}

/**
 * ResMLP block: x + LS(Tᵀ(Linear_T(Tᵀ(Aff x)))) with one cross-patch linear layer, then
 * x + LS(MLP(Aff x)).
 */
export function resmlpBlock(b: Builder, x: T, mlpRatio: number, layerScaleInit: number): T {
  const [, t, d] = x.shape as number[];
  const crossPatch = transposeTokens(b, dense(b, transposeTokens(b, affineNorm(b, x)), t));
  x = add(b, x, layerScale(b, crossPatch, layerScaleInit));
  const channelMlp = mlp(b, affineNorm(b, x), Math.round(d * mlpRatio), d, 'gelu');
  return add(b, x, layerScale(b, channelMlp, layerScaleInit));
}

/** ConvNeXt block: x + LS(Linear(GELU(Linear_4D(LN(dw7×7(x)))))), on N×H×W×C maps. */
export function convnextBlock(b: Builder, x: T, layerScaleInit: number, kernel = 7): T {
  const d = channels(x);
  let y = tf.layers
    .depthwiseConv2d({ kernelSize: kernel, padding: 'same', depthwiseInitializer: b.glorot(), name: b.name('dwconv') })
    .apply(x) as T;
  y = mlp(b, layerNorm(b, y), 4 * d, d, 'gelu');
  return add(b, x, layerScale(b, y, layerScaleInit));
}

/** Final token pooling: the class token or the mean of all tokens. */
export function poolTokens(b: Builder, x: T, how: 'cls' | 'mean'): T {
  if (how === 'mean') return tf.layers.globalAveragePooling1d({ name: b.name('token_mean') }).apply(x) as T;
  return new SelectToken({ index: 0, name: b.name('take_cls') }).apply(x) as T;
}
