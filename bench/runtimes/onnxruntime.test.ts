import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cpuInfo } from '../../common/environment.js';
import { createModel } from '../../training/models/index.js';
import { modelToOnnx } from '../onnx/export.js';
import { onnxRuntime } from './onnxruntime.js';

/** Milliseconds of this process's CPU time during `ms` of idling right after one inference. */
async function cpuAfterRun(spinning: boolean): Promise<{ idleCpuMs: number; settings: Record<string, string> | undefined }> {
  await tf.setBackend('cpu');
  const model = createModel('resnet8_s', { numClasses: 10, inputShape: [16, 16, 3], seed: 0 });
  const runtime = await onnxRuntime(modelToOnnx(model), [16, 16, 3], { provider: 'cpu', threads: 2, spinning });
  model.dispose();
  const prepared = await runtime.prepare(8);
  try {
    for (let i = 0; i < 5; i++) await prepared.infer();
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 300));
    const used = process.cpuUsage(before);
    return { idleCpuMs: (used.user + used.system) / 1000, settings: runtime.info.settings };
  } finally {
    await prepared.dispose();
    await runtime.dispose();
  }
}

describe('onnxRuntime (cpu)', () => {
  it('records its thread pool settings, spinning off by default', async () => {
    await tf.setBackend('cpu');
    const model = createModel('resnet8_s', { numClasses: 10, inputShape: [16, 16, 3], seed: 0 });
    const runtime = await onnxRuntime(modelToOnnx(model), [16, 16, 3], { provider: 'cpu' });
    model.dispose();
    expect(runtime.info.threads).toBe(cpuInfo().cores);
    expect(runtime.info.settings).toEqual({
      intraOpNumThreads: String(cpuInfo().cores),
      interOpNumThreads: '1',
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      allowSpinning: '0',
    });
    await runtime.dispose();
  });

  it('leaves no pool thread busy-waiting after a run when spinning is off', async () => {
    // ONNX Runtime's default (spinning on) burns tens of ms of a core after every run; off, the
    // pool threads block at once. 300 ms of idling should cost this process next to no CPU.
    const off = await cpuAfterRun(false);
    expect(off.settings?.allowSpinning).toBe('0');
    expect(off.idleCpuMs).toBeLessThan(20);
  });
});
