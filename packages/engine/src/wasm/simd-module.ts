/**
 * Our own WebAssembly SIMD kernels (the C files in simd/, compiled by `npm run build:simd`),
 * instantiated once per wasm backend (each worker thread has its own) on that backend's memory,
 * so that they read and write tensors in place.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BackendWasm } from './wasm-util.js';

/** Each module's shadow stack (the C code spills a few vectors to it). */
const STACK_BYTES = 64 * 1024;

const compiled = new Map<string, WebAssembly.Module>();
const instances = new WeakMap<BackendWasm, Map<string, unknown>>();

/** The exports of simd/<name>.wasm, instantiated on `backend`'s memory. */
export function simdModule<Exports>(backend: BackendWasm, name: string): Exports {
  let mods = instances.get(backend);
  if (!mods) instances.set(backend, (mods = new Map()));
  const existing = mods.get(name);
  if (existing) return existing as Exports;
  let mod = compiled.get(name);
  if (!mod) {
    mod = new WebAssembly.Module(new Uint8Array(readFileSync(fileURLToPath(new URL(`./simd/${name}.wasm`, import.meta.url)))));
    compiled.set(name, mod);
  }
  const emscripten = backend.wasm as unknown as { asm: { memory: WebAssembly.Memory }; _malloc(bytes: number): number };
  const exports = new WebAssembly.Instance(mod, { env: { memory: emscripten.asm.memory } }).exports as { __stack_pointer: WebAssembly.Global };
  // The module's stack pointer starts in the backend's static data; point it at a block of its own
  // (stacks grow down, so at the block's end), kept for the life of the backend.
  const stack = emscripten._malloc(STACK_BYTES);
  exports.__stack_pointer.value = (stack + STACK_BYTES) & ~15;
  mods.set(name, exports);
  return exports as Exports;
}
