/** Helpers for the data tests: temp dirs and the small real image sets in fixtures/. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/**
 * Real images in the ImageFolder layout, committed so the tests need nothing beside the checkout
 * (sources and licences in each folder's README.md). Read-only: copy before changing anything.
 */
export const fixtureImages = {
  /** CIFAR-10, 32×32 JPEG: train/<class>/NNNN.jpg, test/<class>/NNNN.jpg. */
  cifar10: path.join(fixtures, 'cifar10'),
  /** Imagenette, 224×224 JPEG photos, a few single-channel: train/<wnid>/, val/<wnid>/. */
  imagenette: path.join(fixtures, 'imagenette-mini'),
} as const;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `usibench-${prefix}-`));
}
