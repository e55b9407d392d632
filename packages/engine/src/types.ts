export type BackendName = 'tensorflow' | 'webgpu' | 'native' | 'wasm' | 'cpu';

/** Best first: the order `initBackend('auto')` tries backends in. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'native', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The tfjs backend actually in use. */
  name: BackendName;
  /** e.g. 'Intel Xeon ... (2 cores)' or the GPU's name. */
  device: string;
  /** Threads the backend computes with (1 for a GPU backend: the host thread that drives it). */
  threads: number;
  /** tfjs-core, the backend package, native library versions. */
  versions: Record<string, string>;
}
