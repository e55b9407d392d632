/**
 * Runs a tfjs model and its ONNX export on the same input and reports the largest absolute
 * difference of the outputs: the exporter's correctness check, used by its tests.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { Rng } from '../../common/rng.js';
import { modelToOnnx } from './export.js';

export interface ParityResult {
  maxAbsDiff: number;
  /** Largest |tfjs output|, to judge the difference against. */
  maxAbs: number;
  outputShape: number[];
}

export async function onnxParity(model: tf.LayersModel, batch = 2, seed = 7): Promise<ParityResult> {
  const shape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  const rng = new Rng(seed);
  const input = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < input.length; i++) input[i] = rng.normal();

  const x = tf.tensor(input, shape);
  const y = model.predict(x) as tf.Tensor;
  const expected = (await y.data()) as Float32Array;
  const outputShape = y.shape.slice();
  tf.dispose([x, y]);

  const session = await ort.InferenceSession.create(modelToOnnx(model), { graphOptimizationLevel: 'all' });
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, shape) });
    const got = out.output.data as Float32Array;
    if (got.length !== expected.length) throw new Error(`ONNX output has ${got.length} values, tfjs ${expected.length}`);
    let maxAbsDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < got.length; i++) {
      const d = Math.abs(got[i] - expected[i]);
      maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
    }
    return { maxAbsDiff, maxAbs, outputShape };
  } finally {
    await session.release();
  }
}
