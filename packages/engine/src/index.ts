/**
 * @usibench/engine — the tfjs backends usibench computes with. Importing it changes nothing;
 * registerUsibenchKernels(tf) registers the engine's kernels and gradients, then initBackend()
 * picks a backend (tensorflow > webgpu > native > wasm > cpu) and says what it runs on.
 */
export { registerUsibenchKernels } from './register.js';
export { availableBackends, currentBackendInfo, initBackend, type BackendAvailability } from './backends.js';
export { BACKEND_ORDER, type BackendInfo, type BackendName } from './types.js';
export { EngineUsageError } from './errors.js';
export { cpuInfo, packageVersion, type CpuInfo } from './host.js';
export { WorkerPool, type WorkerPoolOptions } from './workers/workers.js';
// The native backend's own facts, for its benchmarks and the check that no kernel falls back to cpu.
export { nativeAddon, nativeKernelNames, registerNativeBackend, type NativeRegistration } from './native/register.js';
export { takeCpuFallbacks } from './native/kernel.js';
export type { NativeAddon } from './native/addon.js';
