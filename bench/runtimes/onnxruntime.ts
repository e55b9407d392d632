/**
 * The ONNX Runtime runtime: the model exported by bench/onnx, run by onnxruntime-node with full
 * graph optimisation. The CPU provider ships inside the package; CUDA and TensorRT are present
 * only where the package's install step could download them (not with ONNXRUNTIME_NODE_INSTALL=skip).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { UsageError, errorMessage } from '../../common/errors.js';
import { cpuInfo, packageVersion } from '../../common/environment.js';
import { Rng } from '../../common/rng.js';
import { randomInput, type PreparedModel, type Runtime } from './types.js';

export const ORT_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'webgpu'] as const;
export type OrtProvider = (typeof ORT_PROVIDERS)[number];

async function loadOrt(): Promise<typeof Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (err) {
    throw new UsageError(
      `runtime 'onnxruntime' is not installed (${errorMessage(err)}); run 'npm install onnxruntime-node@1.30.0' or use --runtime tfjs`,
    );
  }
}

/** Whether a provider's shared library is present (CUDA/TensorRT are separate downloads). */
function providerInstalled(ort: typeof Ort, provider: OrtProvider): boolean {
  const entry = ort.listSupportedBackends().find((b) => b.name === provider);
  if (!entry) return false;
  if (entry.bundled) return true;
  const pkgDir = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  const binRoot = path.join(pkgDir, 'bin');
  const dirs = fs.existsSync(binRoot) ? fs.readdirSync(binRoot).map((d) => path.join(binRoot, d, process.platform, process.arch)) : [];
  return dirs.some((d) => fs.existsSync(path.join(d, `libonnxruntime_providers_${provider}.so`)));
}

function nvidiaGpuName(): string | null {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n')[0].trim() || null;
  } catch {
    return null;
  }
}

export interface OrtOptions {
  provider?: string;
  /** Intra-op threads; defaults to every core this process may use. */
  threads?: number;
  /**
   * Whether idle pool threads busy-wait for the next parallel section (ONNX Runtime's default).
   * Off by default here: a spinning thread burns a core between and after runs, which on a shared
   * or small machine slows whatever runs beside it (another benchmark, the other runtime of an
   * interleaved comparison) and makes the figures depend on it.
   */
  spinning?: boolean;
}

export async function onnxRuntime(onnx: Uint8Array, inputShape: number[], opts: OrtOptions = {}): Promise<Runtime> {
  const ort = await loadOrt();
  const provider = (opts.provider ?? 'cpu').toLowerCase();
  if (!(ORT_PROVIDERS as readonly string[]).includes(provider))
    throw new UsageError(`unknown ONNX Runtime provider '${provider}'; use one of ${ORT_PROVIDERS.join(', ')}`);
  if (!providerInstalled(ort, provider as OrtProvider))
    throw new UsageError(
      `ONNX Runtime provider '${provider}' is not installed; reinstall onnxruntime-node on a machine with internet and CUDA ` +
        `(npm ci without ONNXRUNTIME_NODE_INSTALL=skip), or use --backend cpu`,
    );
  const cpu = cpuInfo();
  const threads = opts.threads ?? cpu.cores;
  const spinning = opts.spinning ?? false;
  const allowSpinning = spinning ? '1' : '0';
  const sessionOptions = {
    executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // The Node binding joins nested keys with '.': session.intra_op.allow_spinning, session.inter_op.allow_spinning.
    extra: { session: { intra_op: { allow_spinning: allowSpinning }, inter_op: { allow_spinning: allowSpinning } } },
  } satisfies Ort.InferenceSession.SessionOptions;
  const session = await ort.InferenceSession.create(onnx, sessionOptions);
  const inputName = session.inputNames[0];
  const gpu = provider === 'cuda' || provider === 'tensorrt' ? nvidiaGpuName() : null;
  return {
    info: {
      runtime: 'onnxruntime',
      backend: provider,
      device: gpu ?? `${cpu.model} (${cpu.cores} cores)`,
      gpu,
      threads,
      versions: { 'onnxruntime-node': packageVersion('onnxruntime-node') ?? ort.env.versions.node ?? 'unknown' },
      settings: {
        intraOpNumThreads: String(threads),
        interOpNumThreads: String(sessionOptions.interOpNumThreads),
        executionMode: sessionOptions.executionMode,
        graphOptimizationLevel: sessionOptions.graphOptimizationLevel,
        allowSpinning: allowSpinning,
      },
    },
    async prepare(batchSize: number): Promise<PreparedModel> {
      const shape = [batchSize, ...inputShape];
      const rng = new Rng(1);
      const x = new ort.Tensor('float32', randomInput(shape.reduce((a, b) => a * b, 1), () => rng.normal()), shape);
      const feeds = { [inputName]: x };
      return {
        async infer() {
          // Outputs come back as CPU tensors: the run is complete when this resolves. (Preallocated
          // fetches would not help: the Node binding still copies the output into a new array.)
          const out = await session.run(feeds);
          for (const t of Object.values(out)) t.dispose();
        },
        async dispose() {
          x.dispose();
        },
      };
    },
    async dispose() {
      await session.release();
    },
  };
}
