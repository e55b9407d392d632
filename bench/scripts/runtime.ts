/**
 * `npm run bench:runtime`: how much faster the deployment runtime is than tfjs on this machine.
 * resnet_ref at batch 64, 32×32×3, 10 classes: images/s on tfjs-wasm and on ONNX Runtime CPU,
 * each measured three times, alternating (warm-up, then ≥ 4 s and ≥ 8 iterations), with the spread of the
 * three medians, their ratio, and the process's peak RSS. Prints figures; asserts nothing.
 */
import { initBackend } from '../../engine/index.js';
import { createModel } from '../../training/models/index.js';
import { timeInference } from '../harness.js';
import { modelToOnnx } from '../onnx/export.js';
import { onnxRuntime } from '../runtimes/onnxruntime.js';
import { tfjsRuntime } from '../runtimes/tfjs.js';
import type { Runtime } from '../runtimes/types.js';

const BATCH = 64;
const RES = 32;
const REPEATS = 3;
const timing = { minTime: 4, minIters: 8, warmupTime: 1 };

interface Measured {
  label: string;
  /** images/s from each repeat's median batch time. */
  perRepeat: number[];
  median: number;
  /** Largest deviation of a repeat from the median of the three, in percent. */
  spread: number;
  threads: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Repeats alternate between the runtimes (A, B, A, B, …) so that a slow drift of the machine
 * (frequency, a neighbour on the host) lands on both instead of on one runtime's last repeats.
 */
async function measureInterleaved(runtimes: Array<{ label: string; runtime: Runtime }>): Promise<Measured[]> {
  const prepared = await Promise.all(runtimes.map((r) => r.runtime.prepare(BATCH)));
  const perRepeat: number[][] = runtimes.map(() => []);
  try {
    for (let i = 0; i < REPEATS; i++) {
      for (const [k, { label }] of runtimes.entries()) {
        const { stats } = await timeInference(prepared[k], timing);
        perRepeat[k].push((BATCH * 1000) / stats.median);
        process.stderr.write(`${label} repeat ${i + 1}: ${perRepeat[k][i].toFixed(1)} images/s (±${stats.rme.toFixed(1)}%, n=${stats.samples})\n`);
      }
    }
  } finally {
    await Promise.all(prepared.map((p) => p.dispose()));
  }
  return runtimes.map(({ label, runtime }, k) => {
    const m = median(perRepeat[k]);
    const spread = Math.max(...perRepeat[k].map((v) => Math.abs(v / m - 1))) * 100;
    return { label, perRepeat: perRepeat[k], median: m, spread, threads: runtime.info.threads };
  });
}

const started = Date.now();
await initBackend('wasm');
const model = createModel('resnet_ref', { numClasses: 10, inputShape: [RES, RES, 3], seed: 0 });
const onnx = modelToOnnx(model);

const tfjs = await tfjsRuntime(model, 'wasm');
const ortRuntime = await onnxRuntime(onnx, [RES, RES, 3], { provider: 'cpu' });
const [wasm, ortCpu] = await measureInterleaved([
  { label: 'tfjs-wasm', runtime: tfjs },
  { label: 'onnxruntime-cpu', runtime: ortRuntime },
]);
await tfjs.dispose();
await ortRuntime.dispose();
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
const row = (m: Measured): string =>
  `${m.label.padEnd(16)} ${m.median.toFixed(1).padStart(9)} images/s  repeats ${m.perRepeat.map((v) => v.toFixed(1)).join(' / ')}  spread ±${m.spread.toFixed(1)}%  ${m.threads} thread(s)`;
process.stdout.write(
  [
    `resnet_ref, batch ${BATCH}, ${RES}×${RES}×3, fp32; median of ${REPEATS} repeats (each: median batch time)`,
    row(wasm),
    row(ortCpu),
    `ratio onnxruntime-cpu / tfjs-wasm: ${(ortCpu.median / wasm.median).toFixed(2)}×  (target ≥ 10×)`,
    `spread within ±5%: tfjs-wasm ${wasm.spread <= 5 ? 'yes' : 'NO'}, onnxruntime-cpu ${ortCpu.spread <= 5 ? 'yes' : 'NO'}`,
    `peak RSS ${peakRssMiB.toFixed(0)} MiB, wall ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
  ].join('\n'),
);
