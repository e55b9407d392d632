/**
 * Slurm's own commands, run as a user would run them (sbatch, squeue, scancel): what they need
 * (SLURM_CONF, the controller's address) comes from the environment, like on any login node.
 */
import { execFileSync } from 'node:child_process';
import { UsageError } from '../../common/errors.js';

function slurm(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new UsageError(`${command} not found: --executor slurm needs Slurm's commands on PATH; run it on a login node of the cluster`);
    }
    const said = (e.stderr ?? '').trim().split('\n').filter(Boolean).slice(-2).join(' | ');
    throw new UsageError(`${command} ${args.join(' ')} failed: ${said || e.message}`);
  }
}

/** Submits a batch script; returns its job id (for an array, the array's id). */
export function sbatch(scriptFile: string): string {
  // --parsable prints "id" or "id;cluster".
  const id = slurm('sbatch', ['--parsable', scriptFile]).trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch ${scriptFile} printed '${id}', not a job id`);
  return id;
}

export interface QueuedJob {
  /** As squeue prints it: `12`, `13_1` (a running array task), `13_[2-5]` (array tasks still pending). */
  id: string;
  name: string;
  state: string;
}

/** This user's jobs still in the queue (pending, running, completing) with one of these names. */
export function queuedJobs(names: readonly string[]): QueuedJob[] {
  if (names.length === 0) return [];
  const out = slurm('squeue', ['--me', '--noheader', `--name=${names.join(',')}`, '--states=PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED,REQUEUED,RESIZING', '--format=%i|%j|%T']);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [id, name, state] = l.trim().split('|');
      return { id, name, state };
    });
}

/**
 * Expands squeue's ids to one per job or array task: `13_[2-4,7%2]` → 13_2, 13_3, 13_4, 13_7.
 * A plain id stands for itself.
 */
export function expandIds(id: string): string[] {
  const m = id.match(/^(\d+)_\[([^\]]+)\]$/);
  if (!m) return [id];
  const out: string[] = [];
  for (const part of m[2].split('%')[0].split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let t = a; t <= (b ?? a); t++) out.push(`${m[1]}_${t}`);
  }
  return out;
}

export function scancel(ids: readonly string[]): void {
  if (ids.length) slurm('scancel', [...ids]);
}
