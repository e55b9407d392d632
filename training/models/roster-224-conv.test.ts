import { beforeAll, it } from 'vitest';
import { initBackend } from '../../common/engine.js';
import { expect224 } from './check-224.js';

beforeAll(async () => {
  await initBackend('wasm');
});

it('224-px cnn/mobile models: timm parameter counts, [1, 10] logits', () => {
  expect224(['cnn', 'mobile']);
});
