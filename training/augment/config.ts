/** What augmentation a training run applies (docs/INTERFACES.md), and the USI reference setting. */

export interface AugmentConfig {
  randomResizedCrop: { scale: [number, number]; ratio: [number, number] } | null;
  /** The caller ANDs this with DatasetInfo.hflip: digits must not be flipped. */
  hflip: boolean;
  randAugment: { numOps: number; magnitude: number; magnitudeStd: number } | null;
  mix: { mixupAlpha: number; cutmixAlpha: number; switchProb: number; prob: number } | null;
}

/** USI (timm 0.5.4 flags): rrc (0.08,1)/(3/4,4/3), flip, rand-m7-mstd0.5-inc1, mixup 0.8, cutmix 1.0, switch 0.5, prob 1. */
export const USI_AUGMENT: AugmentConfig = {
  randomResizedCrop: { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
  hflip: true,
  randAugment: { numOps: 2, magnitude: 7, magnitudeStd: 0.5 },
  mix: { mixupAlpha: 0.8, cutmixAlpha: 1.0, switchProb: 0.5, prob: 1 },
};
