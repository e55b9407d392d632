import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../common/engine.js';
import { getModelEntry, listModels, type Family } from './index.js';
import { expectEachTrains } from './train-check.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const FAMILIES: Family[] = ['cnn', 'mobile'];
const NAMES = listModels().filter((n) => getModelEntry(n).defaultResolution <= 32 && FAMILIES.includes(getModelEntry(n).family));

it(`every small ${FAMILIES.join('/')} model lowers its loss on a repeated batch, with a flat tensor count`, () => {
  expect(NAMES.length).toBeGreaterThanOrEqual(4);
  expectEachTrains(NAMES);
});
