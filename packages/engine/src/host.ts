/** What a backend reports about the machine it computes on. */
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);

export interface CpuInfo {
  model: string;
  /** Cores this process may use. */
  cores: number;
}

export function cpuInfo(): CpuInfo {
  const cpus = os.cpus();
  return {
    model: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
  };
}

/** The installed version of a package, or null when it is not installed. */
export function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}
