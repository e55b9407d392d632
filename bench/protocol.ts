/**
 * The protocol record every benchmark number carries: what ran, on what, how, and when.
 */
import { cpuInfo, gitCommit, softwareVersions } from '../common/environment.js';
import { canCollectGarbage } from './harness.js';
import type { RuntimeInfo } from './runtimes/types.js';

export interface ProtocolRecord {
  runtime: string;
  backend: string;
  device: string;
  cpuModel: string;
  cores: number;
  gpu: string | null;
  precision: string;
  batchSize: number;
  resolution: number;
  threads: number;
  /**
   * How it was measured, where recorded (absent in older records): the runtime's speed-relevant
   * settings (ONNX Runtime: intra/inter-op threads, spinning, execution mode, graph optimisation)
   * and the timing protocol (minTime, minIters, warmupTime in seconds; whether a gc ran before timing).
   */
  settings?: Record<string, string>;
  versions: Record<string, string>;
  gitCommit: string;
  date: string; // ISO
}

export interface ProtocolRun {
  precision: string;
  batchSize: number;
  resolution: number;
  /** The timing protocol's settings, recorded beside the runtime's. */
  timing?: { minTime: number; minIters: number; warmupTime: number };
}

export function protocolRecord(info: RuntimeInfo, run: ProtocolRun, date = new Date()): ProtocolRecord {
  const cpu = cpuInfo();
  return {
    runtime: info.runtime,
    backend: info.backend,
    device: info.device,
    cpuModel: cpu.model,
    cores: cpu.cores,
    gpu: info.gpu,
    precision: run.precision,
    batchSize: run.batchSize,
    resolution: run.resolution,
    threads: info.threads,
    settings: {
      ...info.settings,
      ...(run.timing && {
        minTime: String(run.timing.minTime),
        minIters: String(run.timing.minIters),
        warmupTime: String(run.timing.warmupTime),
        gcBeforeTiming: canCollectGarbage() ? 'yes' : 'no (V8 gave no collector)',
      }),
    },
    versions: { ...softwareVersions(), ...info.versions },
    gitCommit: gitCommit(),
    date: date.toISOString(),
  };
}
