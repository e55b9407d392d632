/**
 * Picks the tfjs backend a program computes with: by name, from USIBENCH_BACKEND, or the best one
 * that runs here. Only after registerUsibenchKernels(tf), whose kernels the backends need to train.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineUsageError } from './errors.js';
import { PROBES, type ProbeResult } from './probes.js';
import { assertRegistered } from './register.js';
import { BACKEND_ORDER, type BackendInfo, type BackendName } from './types.js';

let current: BackendInfo | null = null;
/** Activation of a tfjs backend is async and global: serialise it so concurrent callers agree. */
let pending: Promise<BackendInfo> = Promise.resolve(null as unknown as BackendInfo);

function parseRequest(requested: string | undefined): BackendName | 'auto' {
  const value = (requested ?? process.env.USIBENCH_BACKEND ?? 'auto').trim().toLowerCase();
  if (value === '' || value === 'auto') return 'auto';
  if ((BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendName;
  const source = requested !== undefined ? 'backend' : 'USIBENCH_BACKEND';
  throw new EngineUsageError(`unknown ${source} '${value}'; use one of auto, ${BACKEND_ORDER.join(', ')}`);
}

/**
 * Whether a backend can run does not change within a process, and some probes are costly or
 * stateful (Dawn creates a GPU instance each time): probe each backend once.
 */
const probes = new Map<BackendName, Promise<ProbeResult>>();
function probeOnce(name: BackendName): Promise<ProbeResult> {
  let p = probes.get(name);
  if (!p) probes.set(name, (p = PROBES[name]()));
  return p;
}

async function select(choice: BackendName | 'auto'): Promise<BackendInfo> {
  // Someone may have called tf.setBackend directly since: then re-activate what was asked for.
  const stillActive = current !== null && tf.getBackend() === current.name;
  if (current && stillActive && (choice === 'auto' || choice === current.name)) return current;
  if (choice !== 'auto') {
    const probe = await probeOnce(choice);
    if (!probe.available) {
      throw new EngineUsageError(`backend '${choice}' is unavailable: ${probe.reason}; ${probe.remedy}`);
    }
    current = await probe.activate();
    return current;
  }
  for (const name of BACKEND_ORDER) {
    const probe = await probeOnce(name);
    if (probe.available) {
      current = await probe.activate();
      return current;
    }
  }
  throw new Error('no tfjs backend could be initialised, not even cpu');
}

/**
 * Picks and initialises a backend: explicit name, else env USIBENCH_BACKEND, else the best that
 * works in the order tensorflow > webgpu > native > wasm > cpu. An unavailable explicit backend
 * throws UsageError (never a silent fallback). Idempotent: asking again for the active backend (or
 * 'auto' once one is active) returns it without re-probing; asking for another one switches.
 */
export function initBackend(requested?: BackendName | 'auto'): Promise<BackendInfo> {
  let choice: BackendName | 'auto';
  try {
    assertRegistered();
    choice = parseRequest(requested);
  } catch (err) {
    return Promise.reject(err);
  }
  const next = pending.catch(() => undefined).then(() => select(choice));
  pending = next;
  return next;
}

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  /** Why it cannot run here, and what to do about it; null when available. */
  reason: string | null;
}

/** Which backends could run here, best first (probes only: activates nothing). */
export async function availableBackends(): Promise<BackendAvailability[]> {
  const out: BackendAvailability[] = [];
  for (const name of BACKEND_ORDER) {
    const probe = await probeOnce(name);
    out.push({ name, available: probe.available, reason: probe.available ? null : `${probe.reason}; ${probe.remedy}` });
  }
  return out;
}

/** The backend chosen by the last successful initBackend; throws if there was none. */
export function currentBackendInfo(): BackendInfo {
  if (!current) throw new Error('currentBackendInfo() called before initBackend()');
  return { ...current, versions: { ...current.versions } };
}
