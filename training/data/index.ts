/**
 * Opens a dataset by spec: 'mnist' (embedded), 'fashion-mnist', 'cifar10', 'imagefolder:<path>'.
 * See docs/INTERFACES.md for the contract and each source's file for where its data comes from.
 */
import { UsageError } from '../../common/errors.js';
import { openCifar10 } from './cifar10.js';
import { openImageFolder } from './imagefolder.js';
import { openFashionMnist, openMnist } from './mnist.js';
import type { Dataset, OpenOptions } from './types.js';

export type { Batch, BatchOptions, Dataset, DatasetInfo, OpenOptions, Split } from './types.js';

export const DATASET_SPECS = ['mnist', 'fashion-mnist', 'cifar10', 'imagefolder:<path>'] as const;

export async function openDataset(spec: string, opts: OpenOptions = {}): Promise<Dataset> {
  if (spec.startsWith('imagefolder:')) return openImageFolder(spec.slice('imagefolder:'.length), opts);
  switch (spec) {
    case 'mnist':
      return openMnist(opts);
    case 'fashion-mnist':
      return openFashionMnist(opts);
    case 'cifar10':
      return openCifar10(opts);
    default:
      throw new UsageError(`unknown dataset '${spec}'; use one of ${DATASET_SPECS.join(', ')}`);
  }
}
