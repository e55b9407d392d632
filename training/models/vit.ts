/**
 * ViT / DeiT (Dosovitskiy et al. 2021, Touvron et al. 2021): p×p patch embedding, class token or
 * mean pooling, learned position embedding, pre-norm transformer blocks, final LayerNorm, linear
 * head. The patch size must divide the resolution; the position embedding fixes the token count.
 */
import * as tf from '@tensorflow/tfjs';
import { builderFor, imageInput } from './builder.js';
import { dense, layerNorm } from './blocks.js';
import { registerModel, type ModelConfig } from './registry.js';
import { patchEmbed, poolTokens, transformerBlock } from './token-blocks.js';

interface ViTSpec {
  patch: number;
  dim: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  pool: 'cls' | 'mean';
}

function buildViT(spec: ViTSpec, config: ModelConfig): tf.LayersModel {
  const b = builderFor(config);
  const input = imageInput(b, config);
  let x = patchEmbed(b, input, { patch: spec.patch, dim: spec.dim, classToken: spec.pool === 'cls', positionEmbedding: true });
  for (let i = 0; i < spec.depth; i++) x = transformerBlock(b, x, spec.heads, spec.mlpRatio);
  x = poolTokens(b, layerNorm(b, x), spec.pool);
  return tf.model({ inputs: input, outputs: dense(b, x, config.numClasses), name: 'vit' });
}

export function patchDivides(patch: number) {
  return (resolution: number): string | null =>
    resolution % patch === 0 ? null : `the patch size ${patch} must divide it (try ${Math.max(patch, Math.round(resolution / patch) * patch)})`;
}

function vit(name: string, description: string, defaultResolution: number, spec: ViTSpec): void {
  registerModel({
    name,
    family: 'transformer',
    description,
    defaultResolution,
    build: (config) => buildViT(spec, config),
    checkResolution: patchDivides(spec.patch),
  });
}

vit('vit_tiny_s', 'small-image ViT: patch 4, dim 64, 4 blocks × 4 heads, MLP ×2, class token', 28, {
  patch: 4, dim: 64, depth: 4, heads: 4, mlpRatio: 2, pool: 'cls',
});
vit('vit_tiny_gap_s', 'small-image ViT with mean pooling instead of a class token: patch 4, dim 64, 4 blocks', 28, {
  patch: 4, dim: 64, depth: 4, heads: 4, mlpRatio: 2, pool: 'mean',
});
vit('deit_tiny_patch16_224', 'DeiT-Ti / ViT-Ti: patch 16, dim 192, 12 blocks × 3 heads, class token', 224, {
  patch: 16, dim: 192, depth: 12, heads: 3, mlpRatio: 4, pool: 'cls',
});
vit('vit_small_patch16_224', 'ViT-S/16 (DeiT-S): patch 16, dim 384, 12 blocks × 6 heads, class token', 224, {
  patch: 16, dim: 384, depth: 12, heads: 6, mlpRatio: 4, pool: 'cls',
});
