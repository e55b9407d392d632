/**
 * What the harness needs from a runtime: a model prepared for one batch size, and a call that runs
 * it once and waits until the output is back in host memory.
 */

export interface RuntimeInfo {
  runtime: 'tfjs' | 'onnxruntime';
  /** The tfjs backend or the ONNX Runtime execution provider in use. */
  backend: string;
  /** What computes: the CPU (model, cores) or the GPU's name. */
  device: string;
  gpu: string | null;
  threads: number;
  versions: Record<string, string>;
  /** Runtime settings that change the speed (e.g. ONNX Runtime's thread pool and spinning), as recorded in the protocol. */
  settings?: Record<string, string>;
}

export interface PreparedModel {
  /** One inference at the prepared batch size, including reading the output back. */
  infer(): Promise<void>;
  dispose(): Promise<void>;
}

export interface Runtime {
  info: RuntimeInfo;
  prepare(batchSize: number): Promise<PreparedModel>;
  dispose(): Promise<void>;
}

/** Random normal inputs of a given shape: the values do not change the speed, but stay seeded. */
export function randomInput(size: number, rngNormal: () => number): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = rngNormal();
  return x;
}
