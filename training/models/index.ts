/**
 * The roster's entry point: importing it registers every backbone family.
 * `createModel(name, config)`, `listModels(pattern)`, `getModelEntry(name)` come from registry.ts.
 */
import './resnet.js';

export * from './registry.js';
export { trainableParams } from './params.js';
