/**
 * Facts about the machine and the code that every stored number carries with it: the git commit,
 * the host, the CPU, and the versions of the software that produced the number.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuInfo, packageVersion } from '@usibench/engine';
import type { EnvironmentFacts } from '../db/record.js';

// The engine describes the machine its backends compute on; the stored environment says the same.
export { cpuInfo, packageVersion, type CpuInfo } from '@usibench/engine';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

let cachedCommit: string | undefined;

/** The commit of the usibench checkout, with `-dirty` when the tree has local changes; 'unknown' outside git. */
export function gitCommit(): string {
  if (cachedCommit !== undefined) return cachedCommit;
  // A copy without .git (a bundle on a bare machine) is told its commit by whoever built it.
  if (process.env.USIBENCH_GIT_COMMIT) return (cachedCommit = process.env.USIBENCH_GIT_COMMIT);
  try {
    const opts = { cwd: repoRoot, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    cachedCommit = dirty ? `${sha}-dirty` : sha;
  } catch {
    cachedCommit = 'unknown';
  }
  return cachedCommit;
}

export function hostName(): string {
  return os.hostname();
}

function usibenchVersion(): string {
  try {
    return (require(path.join(repoRoot, 'package.json')) as { version: string }).version;
  } catch {
    return 'unknown'; // a bundled copy (bench/scripts/gpu-check.ts on a bare machine) has no package.json
  }
}

/** Versions of node, usibench and the numeric packages, for the protocol record. */
export function softwareVersions(extra: string[] = []): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node, usibench: usibenchVersion() };
  for (const name of ['@tensorflow/tfjs-core', '@usibench/engine', ...extra]) {
    const v = packageVersion(name);
    if (v) versions[name] = v;
  }
  return versions;
}

/**
 * The environment row of every result made in this process: the machine and the base software.
 * Backend- and runtime-specific versions belong to the result itself (a benchmark's protocol,
 * a training run's backend), so one machine maps to one row whatever ran on it.
 */
export function currentEnvironment(gpu: string | null = null): EnvironmentFacts {
  const cpu = cpuInfo();
  return { host: hostName(), cpuModel: cpu.model, cores: cpu.cores, gpu, os: `${os.type()} ${os.release()} ${os.arch()}`, versions: softwareVersions() };
}
