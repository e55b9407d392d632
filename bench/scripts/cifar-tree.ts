/**
 * Where the benchmark scripts find the CIFAR-10 JPEG tree (ImageFolder: train/<class>/*.jpg):
 * the directory given, else /tmp/datasets/cifar10 (where ../shared's tarball is extracted), else
 * ../shared/datasets/cifar10 beside the checkout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The candidate directories, in the order they are tried. */
export function cifarTreeCandidates(given?: string): string[] {
  return given ? [given] : ['/tmp/datasets/cifar10', path.resolve(here, '../../../shared/datasets/cifar10')];
}

/** The first candidate that holds a train/ folder, as an absolute path; null when none does. */
export function findCifarTree(given?: string): string | null {
  const dir = cifarTreeCandidates(given).find((d) => fs.existsSync(path.join(d, 'train')));
  return dir === undefined ? null : path.resolve(dir);
}
