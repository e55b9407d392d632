/** Helpers for tests of code that runs on the engine's backends (@usibench/engine/testing). */
export { relErr } from './compare.js';
export { SeededRandom } from './random.js';
