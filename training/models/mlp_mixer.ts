/**
 * MLP-only backbones. MLP-Mixer (Tolstikhin et al. 2021): LayerNorm, token-mixing MLP across
 * patches, channel-mixing MLP. ResMLP (Touvron et al. 2021): Affine instead of LayerNorm, a single
 * cross-patch linear layer, channel MLP, layer scale. Both: p×p patch embedding (p must divide the
 * resolution: the token count is part of the weights), mean pooling, linear head.
 */
import * as tf from '@tensorflow/tfjs';
import { builderFor, imageInput } from './builder.js';
import { dense, layerNorm } from './blocks.js';
import { registerModel, type ModelConfig } from './registry.js';
import { affineNorm, mixerBlock, patchEmbed, poolTokens, resmlpBlock } from './token-blocks.js';
import { patchDivides } from './vit.js';

interface MixerSpec {
  patch: number;
  dim: number;
  depth: number;
  tokenHidden: number;
  channelHidden: number;
}

function buildMixer(spec: MixerSpec, config: ModelConfig): tf.LayersModel {
  const b = builderFor(config);
  const input = imageInput(b, config);
  let x = patchEmbed(b, input, { patch: spec.patch, dim: spec.dim, classToken: false, positionEmbedding: false });
  for (let i = 0; i < spec.depth; i++) x = mixerBlock(b, x, spec.tokenHidden, spec.channelHidden);
  x = poolTokens(b, layerNorm(b, x), 'mean');
  return tf.model({ inputs: input, outputs: dense(b, x, config.numClasses), name: 'mixer' });
}

interface ResMLPSpec {
  patch: number;
  dim: number;
  depth: number;
  mlpRatio: number;
  layerScaleInit: number;
}

function buildResMLP(spec: ResMLPSpec, config: ModelConfig): tf.LayersModel {
  const b = builderFor(config);
  const input = imageInput(b, config);
  let x = patchEmbed(b, input, { patch: spec.patch, dim: spec.dim, classToken: false, positionEmbedding: false });
  for (let i = 0; i < spec.depth; i++) x = resmlpBlock(b, x, spec.mlpRatio, spec.layerScaleInit);
  x = poolTokens(b, affineNorm(b, x), 'mean');
  return tf.model({ inputs: input, outputs: dense(b, x, config.numClasses), name: 'resmlp' });
}

function mixer(name: string, description: string, defaultResolution: number, spec: MixerSpec): void {
  registerModel({ name, family: 'mlp', description, defaultResolution, build: (c) => buildMixer(spec, c), checkResolution: patchDivides(spec.patch) });
}
function resmlp(name: string, description: string, defaultResolution: number, spec: ResMLPSpec): void {
  registerModel({ name, family: 'mlp', description, defaultResolution, build: (c) => buildResMLP(spec, c), checkResolution: patchDivides(spec.patch) });
}

mixer('mixer_s', 'small-image MLP-Mixer: patch 4, dim 64, 4 blocks, token MLP 32, channel MLP 128', 28, {
  patch: 4, dim: 64, depth: 4, tokenHidden: 32, channelHidden: 128,
});
mixer('mixer_s16_224', 'Mixer-S/16: patch 16, dim 512, 8 blocks, token MLP 256, channel MLP 2048', 224, {
  patch: 16, dim: 512, depth: 8, tokenHidden: 256, channelHidden: 2048,
});
// Layer scale starts at 0.1 (the ResMLP-12 value) — 1e-5/1e-6 are for much deeper nets.
resmlp('resmlp_s', 'small-image ResMLP: patch 4, dim 64, 4 blocks, channel MLP ×4, Affine norms', 28, {
  patch: 4, dim: 64, depth: 4, mlpRatio: 4, layerScaleInit: 0.1,
});
resmlp('resmlp_12_224', 'ResMLP-12: patch 16, dim 384, 12 blocks, channel MLP ×4, Affine norms', 224, {
  patch: 16, dim: 384, depth: 12, mlpRatio: 4, layerScaleInit: 0.1,
});
