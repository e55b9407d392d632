/**
 * The tfjs runtime: the model runs on the backend the engine selects. Each inference awaits
 * `data()` on the output, so asynchronous backends (webgpu) are timed to completion, not dispatch.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../common/rng.js';
import { cpuInfo } from '../../common/environment.js';
import { initBackend, type BackendName } from '../../common/engine.js';
import { randomInput, type PreparedModel, type Runtime } from './types.js';

export async function tfjsRuntime(model: tf.LayersModel, backend?: string): Promise<Runtime> {
  const info = await initBackend((backend ?? 'auto') as BackendName | 'auto');
  const cpu = cpuInfo();
  return {
    info: {
      runtime: 'tfjs',
      backend: info.name,
      device: info.device,
      gpu: info.device.startsWith(cpu.model) ? null : info.device,
      threads: info.threads,
      versions: { ...info.versions },
    },
    async prepare(batchSize: number): Promise<PreparedModel> {
      const shape = [batchSize, ...(model.inputs[0].shape.slice(1) as number[])];
      const rng = new Rng(1);
      const x = tf.tensor(randomInput(shape.reduce((a, b) => a * b, 1), () => rng.normal()), shape);
      return {
        async infer() {
          // predictOnBatch, not predict: predict cuts its input into batches of 32 by default, so
          // a batch-64 or batch-256 measurement would time batch-32 runs.
          const y = model.predictOnBatch(x) as tf.Tensor;
          try {
            await y.data();
          } finally {
            y.dispose();
          }
        },
        async dispose() {
          x.dispose();
        },
      };
    },
    async dispose() {
      model.dispose();
    },
  };
}
