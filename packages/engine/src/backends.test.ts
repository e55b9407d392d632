import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { currentBackendInfo, initBackend } from './backends.js';
import { registerUsibenchKernels } from './register.js';

registerUsibenchKernels(tf);

async function usageMessage(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect((err as Error).name).toBe('UsageError');
  return (err as Error).message;
}

describe('initBackend', () => {
  const saved = process.env.USIBENCH_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.USIBENCH_BACKEND;
    else process.env.USIBENCH_BACKEND = saved;
  });

  it("'auto' picks the best available backend in order (first test: nothing chosen yet)", async () => {
    delete process.env.USIBENCH_BACKEND;
    const info = await initBackend('auto');
    // Which one depends on the machine: never cpu while wasm loads, never one that the explicit
    // request above refused.
    expect(['native', 'wasm']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.name);
  });

  it("'auto' keeps the backend already chosen", async () => {
    await initBackend('cpu');
    expect((await initBackend('auto')).name).toBe('cpu');
  });

  it('initialises an explicit backend and reports it', async () => {
    const info = await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.name).toBe('wasm');
    expect(info.threads).toBe(1);
    expect(info.device).toMatch(/\(\d+ cores\)$/);
    expect(info.versions['@tensorflow/tfjs-core']).toBe(tf.version_core);
    expect(info.versions['@tensorflow/tfjs-backend-wasm']).toMatch(/^\d+\.\d+\.\d+/);
    expect(currentBackendInfo()).toEqual(info);
    // Asking again is a no-op that returns the same facts.
    expect(await initBackend('wasm')).toEqual(info);
  });

  it('switches when another backend is asked for, and runs ops on it', async () => {
    const info = await initBackend('cpu');
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(Array.from(tf.add(tf.tensor1d([1, 2]), 3).dataSync())).toEqual([4, 5]);
  });

  it('takes USIBENCH_BACKEND when no backend is passed', async () => {
    process.env.USIBENCH_BACKEND = 'wasm';
    expect((await initBackend()).name).toBe('wasm');
    process.env.USIBENCH_BACKEND = 'cpu';
    expect((await initBackend()).name).toBe('cpu');
    process.env.USIBENCH_BACKEND = 'cuda';
    expect(await usageMessage(initBackend())).toMatch(/unknown USIBENCH_BACKEND 'cuda'; use one of auto, tensorflow, webgpu, native, wasm, cpu/);
  });

  it('refuses an unavailable explicit backend with the reason and the remedy, never falling back', async () => {
    await initBackend('cpu');
    // tfjs-node cannot install here (its binary comes from outside the npm registry).
    const tfMsg = await usageMessage(initBackend('tensorflow'));
    expect(tfMsg).toMatch(/^backend 'tensorflow' is unavailable: .*tfjs-node.*npm install @tensorflow\/tfjs-node@4\.22\.0/);
    expect(tf.getBackend()).toBe('cpu');
    // No GPU (or no Vulkan loader) on the test machines: webgpu must not pass a software adapter off as a GPU.
    const gpuMsg = await usageMessage(initBackend('webgpu'));
    expect(gpuMsg).toMatch(/^backend 'webgpu' is unavailable: .*; use a machine with a GPU/);
    expect(await usageMessage(initBackend('bogus' as 'cpu'))).toMatch(/unknown backend 'bogus'/);
  });

});
