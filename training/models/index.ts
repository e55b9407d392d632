/**
 * The roster's entry point: importing it registers every backbone family.
 * `createModel(name, config)`, `listModels(pattern)`, `getModelEntry(name)` come from registry.ts.
 */
import './resnet.js';
import './convnext.js';
import './mobile.js';
import './vit.js';
import './levit.js';
import './mlp_mixer.js';

export * from './registry.js';
export { trainableParams } from './params.js';
export { foldBatchNorm } from './fold-bn.js';
