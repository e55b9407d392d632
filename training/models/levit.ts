/**
 * LeViT-style hybrid (Graham et al. 2021): a strided conv stem (hard-swish) turns the image into a
 * coarse map, then attention stages work on its tokens, and between stages a stride-2 conv halves
 * the resolution (LeViT's shrinking attention is approximated by conv down-sampling). Hard-swish
 * MLPs, mean pooling. Any resolution ≥ 16 works (the token grid is computed from it).
 */
import * as tf from '@tensorflow/tfjs';
import { builderFor, imageInput } from './builder.js';
import { convBn, dense, layerNorm } from './blocks.js';
import { registerModel, type ModelConfig } from './registry.js';
import { mapsToTokens, poolTokens, tokensToMaps, transformerBlock } from './token-blocks.js';

interface LeViTSpec {
  stem: number[];
  dims: number[];
  depths: number[];
  heads: number[];
  mlpRatio: number;
}

function buildLeViT(spec: LeViTSpec, config: ModelConfig): tf.LayersModel {
  const b = builderFor(config);
  const input = imageInput(b, config);
  let maps = input;
  for (const filters of spec.stem) maps = convBn(b, maps, filters, { kernel: 3, stride: 2, act: 'hard_swish' });
  let tokens = maps;
  spec.dims.forEach((dim, stage) => {
    maps = convBn(b, maps, dim, { kernel: 3, stride: stage === 0 ? 1 : 2, act: 'hard_swish' });
    const [, h, w] = maps.shape as number[];
    tokens = mapsToTokens(b, maps, { positionEmbedding: true });
    for (let i = 0; i < spec.depths[stage]; i++) tokens = transformerBlock(b, tokens, spec.heads[stage], spec.mlpRatio, 'hard_swish');
    if (stage < spec.dims.length - 1) maps = tokensToMaps(b, tokens, h, w);
  });
  const pooled = poolTokens(b, layerNorm(b, tokens), 'mean');
  return tf.model({ inputs: input, outputs: dense(b, pooled, config.numClasses), name: 'levit' });
}

function levit(name: string, description: string, res: number, spec: LeViTSpec): void {
  const minimum = 2 ** (spec.stem.length + spec.dims.length);
  registerModel({
    name, family: 'transformer', description, defaultResolution: res,
    build: (c) => buildLeViT(spec, c),
    checkResolution: (r) => (r >= minimum ? null : `it needs at least ${minimum} px to keep a token grid in every stage`),
  });
}

levit('levit_s', 'small-image LeViT-style hybrid: 2 stride-2 convs, attention stages 48/96 (7×7 → 4×4 tokens at 28 px)', 28, {
  stem: [16, 32], dims: [48, 96], depths: [2, 2], heads: [3, 3], mlpRatio: 2,
});
levit('levit_128s_style_224', 'LeViT-128S-style hybrid at 224 px: 4 stride-2 convs, attention stages 128/256/384', 224, {
  stem: [16, 32, 64, 128], dims: [128, 256, 384], depths: [2, 3, 4], heads: [4, 8, 12], mlpRatio: 2,
});
