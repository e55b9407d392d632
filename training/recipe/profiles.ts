/**
 * Recipe profiles: the few places where one fixed recipe has to bend to the scale of the run, each
 * the same for every backbone. `usi` is the reference exactly (224 px, 300 epochs); the others
 * exist because the reference augmentation, made for long ImageNet schedules, keeps a short run on
 * 28-32 px images far below what its backbones reach (the README's profile table has the measured
 * comparison that chose them). A profile is a named part of the recipe: its name and its values
 * are in the recipe hash, so results of different profiles never mix.
 */
import { USI_AUGMENT, type AugmentConfig } from '../augment/index.js';

export const PROFILE_NAMES = ['usi', 'light', 'plain'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface RecipeProfile {
  /** One line for --help, the README and captions. */
  description: string;
  augment: AugmentConfig;
}

export const RECIPE_PROFILES: Readonly<Record<ProfileName, RecipeProfile>> = Object.freeze({
  usi: {
    description: 'the reference: random-resized crop 8-100 %, flip, RandAugment m7, mixup 0.8 / cutmix 1.0',
    augment: USI_AUGMENT,
  },
  light: {
    description: 'small images, schedules of tens of epochs: random-resized crop 35-100 % and flip only',
    augment: { randomResizedCrop: { scale: [0.35, 1], ratio: [3 / 4, 4 / 3] }, hflip: true, randAugment: null, mix: null },
  },
  plain: {
    description: 'small images, schedules of a few epochs: no augmentation',
    augment: { randomResizedCrop: null, hflip: false, randAugment: null, mix: null },
  },
});
