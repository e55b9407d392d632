/**
 * `npm run bench:runtime`: how much faster the deployment runtime is than tfjs on this machine.
 * resnet_ref at batch 64, 32×32×3, 10 classes: images/s on tfjs-wasm and on ONNX Runtime CPU,
 * each measured three times, alternating (each: the harness's warm-up until the times settle, then
 * ≥ MIN_TIME s and ≥ 8 iterations), with the spread of the three medians, their ratio, the process's
 * peak RSS, and the machine's load average at start and end. Prints figures; asserts nothing.
 *   --min-time S (20): seconds per repeat, at least
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '../../common/engine.js';
import { createModel } from '../../training/models/index.js';
import { timeInference } from '../harness.js';
import { modelToOnnx } from '../onnx/export.js';
import { onnxRuntime } from '../runtimes/onnxruntime.js';
import { tfjsRuntime } from '../runtimes/tfjs.js';
import type { Runtime } from '../runtimes/types.js';
import { median } from '../stats.js';

const BATCH = 64;
const RES = 32;
const REPEATS = 3;
/**
 * Per repeat. tfjs-wasm takes a large fraction of a second a batch, so a short repeat is a handful
 * of samples and one seconds-long slow spell of the host moves its median a lot; 20 s keeps the
 * whole run to a few minutes.
 */
const { values: opts } = parseArgs({ options: { 'min-time': { type: 'string', default: '20' } } });
const MIN_TIME = Number(opts['min-time']);
if (!(MIN_TIME > 0)) {
  console.error(`bench:runtime: --min-time takes a positive number of seconds (got ${opts['min-time']})`);
  process.exit(2);
}
const timing = { minTime: MIN_TIME, minIters: 8, warmupTime: 2, maxWarmupTime: 8 };
const loadavg = (): string => os.loadavg().map((v) => v.toFixed(2)).join(' ');

/** Busy CPU time of the whole machine so far (ms, from /proc/stat; null where there is none). */
function machineBusyMs(): number | null {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const busyTicks = f.reduce((a, b) => a + b, 0) - f[3] - f[4]; // all but idle and iowait
    return (busyTicks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** How many CPUs other processes kept busy, on average, while `run` ran: the contention a repeat met. */
async function withContention<T>(run: () => Promise<T>): Promise<{ value: T; othersCpus: number | null }> {
  const busy0 = machineBusyMs();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await run();
  const wall = performance.now() - t0;
  const own = process.cpuUsage(own0);
  const busy1 = machineBusyMs();
  if (busy0 === null || busy1 === null) return { value, othersCpus: null };
  return { value, othersCpus: Math.max(0, busy1 - busy0 - (own.user + own.system) / 1000) / wall };
}

interface Measured {
  label: string;
  /** images/s from each repeat's median batch time. */
  perRepeat: number[];
  median: number;
  /** Largest deviation of a repeat from the median of the three, in percent. */
  spread: number;
  threads: number;
  settings: string;
  /** CPUs other processes kept busy during each repeat (null where /proc/stat is missing). */
  contention: Array<number | null>;
}

/** A repeat during which other processes kept more than this many CPUs busy is marked '*' (kept, not dropped). */
const CONTENDED_CPUS = 0.25;
const contended = (c: number | null): boolean => c !== null && c > CONTENDED_CPUS;

/**
 * Repeats alternate between the runtimes (A, B, A, B, …) so that a slow drift of the machine
 * (frequency, a neighbour on the host) lands on both instead of on one runtime's last repeats.
 */
async function measureInterleaved(runtimes: Array<{ label: string; runtime: Runtime }>): Promise<Measured[]> {
  const prepared = await Promise.all(runtimes.map((r) => r.runtime.prepare(BATCH)));
  const perRepeat: number[][] = runtimes.map(() => []);
  const contention: Array<Array<number | null>> = runtimes.map(() => []);
  try {
    for (let i = 0; i < REPEATS; i++) {
      for (const [k, { label }] of runtimes.entries()) {
        const { value, othersCpus } = await withContention(() => timeInference(prepared[k], timing));
        const { stats, warmup } = value;
        perRepeat[k].push((BATCH * 1000) / stats.median);
        contention[k].push(othersCpus);
        process.stderr.write(
          `${label} repeat ${i + 1}: ${perRepeat[k][i].toFixed(1)} images/s (±${stats.rme.toFixed(1)}%, n=${stats.samples}, ` +
            `median ${stats.median.toFixed(1)} ms, p90 ${stats.p90.toFixed(1)} ms; warm-up ${warmup.iterations} its ` +
            `${warmup.seconds.toFixed(1)} s ${warmup.settled ? 'settled' : 'NOT settled'}; other processes busy ` +
            `${othersCpus === null ? '?' : othersCpus.toFixed(2)} CPUs; load ${loadavg()})\n`,
        );
      }
    }
  } finally {
    await Promise.all(prepared.map((p) => p.dispose()));
  }
  return runtimes.map(({ label, runtime }, k) => {
    const m = median(perRepeat[k]);
    const spread = Math.max(...perRepeat[k].map((v) => Math.abs(v / m - 1))) * 100;
    const settings = Object.entries(runtime.info.settings ?? {})
      .map(([key, v]) => `${key}=${v}`)
      .join(' ');
    return { label, perRepeat: perRepeat[k], median: m, spread, threads: runtime.info.threads, settings, contention: contention[k] };
  });
}

const started = Date.now();
const loadAtStart = loadavg();
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
const cpusList = (m: Measured): string => m.contention.map((c) => (c === null ? '?' : c.toFixed(2))).join(' / ');
const row = (m: Measured): string =>
  `${m.label.padEnd(16)} ${m.median.toFixed(1).padStart(9)} images/s  repeats ${m.perRepeat.map((v, i) => `${v.toFixed(1)}${contended(m.contention[i]) ? '*' : ''}`).join(' / ')}  spread ±${m.spread.toFixed(1)}%  ${m.threads} thread(s)${m.settings ? `  ${m.settings}` : ''}`;
process.stdout.write(
  [
    `resnet_ref, batch ${BATCH}, ${RES}×${RES}×3, fp32; median of ${REPEATS} repeats (each: median batch time over ≥ ${MIN_TIME} s)`,
    row(wasm),
    row(ortCpu),
    `ratio onnxruntime-cpu / tfjs-wasm: ${(ortCpu.median / wasm.median).toFixed(2)}×  (target ≥ 10×)`,
    `spread within ±5%: tfjs-wasm ${wasm.spread <= 5 ? 'yes' : 'NO'}, onnxruntime-cpu ${ortCpu.spread <= 5 ? 'yes' : 'NO'}`,
    `* other processes kept > ${CONTENDED_CPUS} CPUs busy during that repeat (kept in the figures); ` +
      `contention per repeat, CPUs: tfjs-wasm ${cpusList(wasm)}, onnxruntime-cpu ${cpusList(ortCpu)}`,
    `peak RSS ${peakRssMiB.toFixed(0)} MiB, wall ${((Date.now() - started) / 1000).toFixed(0)} s`,
    `load average (1/5/15 min) at start ${loadAtStart}, at end ${loadavg()}; ${os.cpus().length} CPUs`,
    '',
  ].join('\n'),
);
