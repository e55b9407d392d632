/**
 * The roster: every backbone is registered here by name, created by name and listed with
 * wildcards, the way timm's `create_model` / `list_models` work. A model family lives in its own
 * file and calls `registerModel` once per size it offers.
 */
import type * as tf from '@tensorflow/tfjs';
import { UsageError } from '../../common/errors.js';

export type Family = 'cnn' | 'mobile' | 'transformer' | 'mlp';
export const FAMILIES: readonly Family[] = ['cnn', 'mobile', 'transformer', 'mlp'];

export interface ModelConfig {
  numClasses: number;
  /** Input shape as [height, width, channels] (tfjs is channels-last). */
  inputShape: [number, number, number];
  /** Seed for weight initialisation; the same seed gives the same initial weights. */
  seed?: number;
}

export interface ModelEntry {
  name: string;
  family: Family;
  description: string;
  /** The resolution the model was designed for (28–32 for small images, 224 for ImageNet-style). */
  defaultResolution: number;
  build(config: ModelConfig): tf.LayersModel;
  /** Returns why a resolution cannot be used (a patch size that does not divide it, …), or null. */
  checkResolution?(resolution: number): string | null;
}

const entries = new Map<string, ModelEntry>();

export function registerModel(entry: ModelEntry): void {
  if (entries.has(entry.name)) throw new Error(`model ${entry.name} is registered twice`);
  entries.set(entry.name, entry);
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Names of registered models matching a wildcard pattern (`*` and `?`), sorted. */
export function listModels(pattern = '*'): string[] {
  const re = globToRegExp(pattern);
  return [...entries.keys()].filter((n) => re.test(n)).sort();
}

/** The roster entry of `name`, or undefined (getModelEntry refuses an unknown name instead). */
export function findModelEntry(name: string): ModelEntry | undefined {
  return entries.get(name);
}

export function getModelEntry(name: string): ModelEntry {
  const entry = entries.get(name);
  if (!entry) {
    const close = listModels(`*${name.slice(0, 3)}*`).slice(0, 5);
    const hint = close.length ? ` (did you mean ${close.join(', ')}?)` : '';
    throw new UsageError(`unknown model '${name}'${hint}; run 'usibench models' to list the roster`);
  }
  return entry;
}

export function createModel(name: string, config: ModelConfig): tf.LayersModel {
  const entry = getModelEntry(name);
  const [h, w] = config.inputShape;
  for (const res of new Set([h, w])) {
    const why = entry.checkResolution?.(res);
    if (why) throw new UsageError(`model '${name}' cannot take resolution ${res}: ${why}`);
  }
  return entry.build(config);
}
