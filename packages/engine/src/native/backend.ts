/**
 * The `native` tfjs backend: the cpu backend's tensor storage (JS typed arrays) and every cpu
 * kernel, with the kernels that dominate training and inference replaced by the C++ addon
 * (register.ts). It differs from the cpu backend only in where output storage comes from.
 */
import type * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { pool } from './storage.js';

export const NATIVE_BACKEND = 'native';

/** A cpu backend under its own name, so tfjs keeps its tensors and kernels apart from 'cpu'. */
export class NativeBackend extends MathBackendCPU {
  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object {
    pool.registered(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: object, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    pool.registered(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: object): tf.backend_util.BackendValues {
    pool.escaped(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: object, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const gone = super.disposeData(dataId, force);
    if (values && !this.data.has(dataId)) pool.released(values);
    return gone;
  }
}
