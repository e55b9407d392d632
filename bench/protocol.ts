/**
 * The protocol record every benchmark number carries: what ran, on what, how, and when.
 */
import { cpuInfo, gitCommit, softwareVersions } from '../common/environment.js';
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
  versions: Record<string, string>;
  gitCommit: string;
  date: string; // ISO
}

export interface ProtocolRun {
  precision: string;
  batchSize: number;
  resolution: number;
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
    versions: { ...softwareVersions(), ...info.versions },
    gitCommit: gitCommit(),
    date: date.toISOString(),
  };
}
