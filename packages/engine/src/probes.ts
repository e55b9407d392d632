/**
 * One probe per tfjs backend: can it run here, and if so, make it the active backend and describe
 * it. Probes import their packages lazily so that a machine without tfjs-node or a GPU never pays
 * for (or crashes on) loading them.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { errorMessage } from './errors.js';
import { cpuInfo, packageVersion } from './host.js';
import { registerNativeBackend, type NativeRegistration } from './native/register.js';
import type { BackendInfo, BackendName } from './types.js';

export type ProbeResult =
  | { available: true; activate: () => Promise<BackendInfo> }
  | { available: false; reason: string; remedy: string };

function cpuDevice(): string {
  const cpu = cpuInfo();
  return `${cpu.model} (${cpu.cores} cores)`;
}

function coreVersions(extra: Record<string, string | null>): Record<string, string> {
  const versions: Record<string, string> = { '@tensorflow/tfjs-core': tf.version_core };
  for (const [k, v] of Object.entries(extra)) if (v) versions[k] = v;
  return versions;
}

/** Makes `name` the active tfjs backend; setBackend resolves false (not throws) on init failure. */
async function activateTf(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs could not initialise the '${name}' backend`);
  await tf.ready();
}

async function probeTensorflow(): Promise<ProbeResult> {
  // The GPU build first: it also provides the 'tensorflow' backend, with CUDA.
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
    } catch {
      continue;
    }
    if (!tf.findBackendFactory('tensorflow')) continue;
    return {
      available: true,
      activate: async () => {
        await activateTf('tensorflow');
        const gpu = pkg.endsWith('-gpu') ? nvidiaGpuName() : null;
        return {
          name: 'tensorflow',
          device: gpu ?? cpuDevice(),
          threads: cpuInfo().cores,
          versions: coreVersions({ [pkg]: packageVersion(pkg), libtensorflow: tfNodeLibVersion() }),
        };
      },
    };
  }
  return {
    available: false,
    reason: 'neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed (their install downloads libtensorflow from outside the npm registry)',
    remedy: "run 'npm install @tensorflow/tfjs-node@4.22.0' (or tfjs-node-gpu with CUDA 11.2 + cuDNN 8.1) on a machine with internet access",
  };
}

function tfNodeLibVersion(): string | null {
  const v = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding?.TF_Version;
  return typeof v === 'string' ? v : null;
}

function nvidiaGpuName(): string | null {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    return out.trim().split('\n')[0] || null;
  } catch {
    return null;
  }
}

/** Dawn also offers CPU rasterisers (llvmpipe, lavapipe, SwiftShader): 5-50x slower than wasm. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software|softpipe/i;

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  adapterType?: string;
}

function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true; // Metal/D3D12: let Dawn decide
  try {
    return /libvulkan\.so\.1\b/.test(execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return true; // no ldconfig to ask: let Dawn try
  }
}

async function probeWebgpu(): Promise<ProbeResult> {
  const remedy = 'use a machine with a GPU and its Vulkan driver (libvulkan.so.1), or pick another backend';
  // Without the Vulkan loader Dawn can only fail, and it says so on stderr: don't even load it.
  if (!vulkanLoaderPresent()) {
    return { available: false, reason: 'no Vulkan loader (libvulkan.so.1) on this machine', remedy };
  }
  let gpu: { requestAdapter(o?: object): Promise<unknown> };
  try {
    const dawn = (await import('webgpu')) as unknown as {
      create(flags: string[]): typeof gpu;
      globals: Record<string, unknown>;
    };
    gpu = dawn.create([]);
    const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as
      | { info?: AdapterInfoLike; isFallbackAdapter?: boolean }
      | null;
    if (!adapter) {
      return { available: false, reason: 'Dawn found no GPU adapter (no Vulkan driver, or libvulkan.so.1 missing)', remedy };
    }
    const info = adapter.info ?? {};
    const label = [info.vendor, info.device, info.description, info.architecture].filter(Boolean).join(' ').trim() || 'unknown adapter';
    const software =
      adapter.isFallbackAdapter === true ||
      info.isFallbackAdapter === true ||
      /cpu/i.test(info.adapterType ?? '') ||
      SOFTWARE_ADAPTER.test(label);
    if (software) {
      return { available: false, reason: `the only adapter is a software one (${label}), slower than wasm`, remedy };
    }
    return {
      available: true,
      activate: async () => {
        // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is imported.
        Object.assign(globalThis, dawn.globals);
        Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
        await import('@tensorflow/tfjs-backend-webgpu');
        await activateTf('webgpu');
        return {
          name: 'webgpu',
          device: label,
          threads: 1,
          versions: coreVersions({
            '@tensorflow/tfjs-backend-webgpu': packageVersion('@tensorflow/tfjs-backend-webgpu'),
            webgpu: packageVersion('webgpu'),
          }),
        };
      },
    };
  } catch (err) {
    return { available: false, reason: `the webgpu package did not load (${errorMessage(err).split('\n')[0]})`, remedy };
  }
}

async function probeNative(): Promise<ProbeResult> {
  const remedy = "build the addon with 'npm run build:native' (needs a C++ toolchain and BLAS), or pick another backend";
  let reg: NativeRegistration;
  try {
    reg = await registerNativeBackend();
  } catch (err) {
    return { available: false, reason: `registering it failed (${errorMessage(err)})`, remedy };
  }
  if (!reg.available) return { available: false, reason: reg.reason ?? 'the addon is not built', remedy };
  return {
    available: true,
    activate: async () => {
      await activateTf('native');
      return {
        name: 'native',
        device: cpuDevice(),
        threads: reg.threads,
        versions: coreVersions({ '@usibench/engine-native': reg.version, blas: reg.blas }),
      };
    },
  };
}

async function probeWasm(): Promise<ProbeResult> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    return {
      available: true,
      activate: async () => {
        await activateTf('wasm');
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        return {
          name: 'wasm',
          device: cpuDevice(),
          threads: wasm.getThreadsCount(),
          versions: coreVersions({
            '@tensorflow/tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
            'wasm-simd': simd ? 'on' : 'off',
          }),
        };
      },
    };
  } catch (err) {
    return { available: false, reason: `@tensorflow/tfjs-backend-wasm did not load (${errorMessage(err)})`, remedy: "run 'npm ci'" };
  }
}

async function probeCpu(): Promise<ProbeResult> {
  return {
    available: true,
    activate: async () => {
      await activateTf('cpu');
      return {
        name: 'cpu',
        device: cpuDevice(),
        threads: 1,
        versions: coreVersions({ '@tensorflow/tfjs-backend-cpu': packageVersion('@tensorflow/tfjs-backend-cpu') }),
      };
    },
  };
}

export const PROBES: Record<BackendName, () => Promise<ProbeResult>> = {
  tensorflow: probeTensorflow,
  webgpu: probeWebgpu,
  native: probeNative,
  wasm: probeWasm,
  cpu: probeCpu,
};
