/** Helpers for the data tests: temp dirs and the real image tarballs in ../shared/datasets. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDatasets = path.resolve(repoRoot, '..', 'shared', 'datasets');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `usibench-${prefix}-`));
}

/**
 * Extracts a shared tarball into `dest`; `keep` filters member paths (CIFAR-10's 60,000 JPEGs are
 * more than a unit test needs). Returns the top folder inside the tarball.
 */
export async function extractShared(tarball: string, dest: string, keep?: (member: string) => boolean): Promise<string> {
  const file = path.join(sharedDatasets, tarball);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the tests need ../shared/datasets beside the checkout`);
  await tar.x({ file, cwd: dest, filter: keep ? (p) => p.endsWith('/') || keep(p) : undefined });
  return path.join(dest, tarball.replace(/(-jpeg)?\.tar\.gz$/, ''));
}
