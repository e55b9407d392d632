import type { Allocation, SlurmNightly } from '../../common/allocation.js';

/** Where a job's result was made, for the runs page: `Slurm 13_4 · node gpu-a07 · 8 CPUs, 2 GPUs`; '' when run here. */
export function formatAllocation(a: Allocation | null): string {
  if (!a) return '';
  const job = a.arrayJobId !== null && a.arrayTaskId !== null ? `${a.arrayJobId}_${a.arrayTaskId} (job ${a.jobId})` : a.jobId;
  const cpus = a.cpus === null ? 'CPUs unknown' : `${a.cpus} CPU${a.cpus === 1 ? '' : 's'}`;
  return `Slurm ${job}${a.node ? ` · node ${a.node}` : ''}${a.partition ? ` · ${a.partition}` : ''} · ${cpus}, ${a.gpus} GPU${a.gpus === 1 ? '' : 's'}`;
}

/** The executor column of the runs table: `local`, or `Slurm 12–18` (the submission's batch job ids). */
export function formatExecutor(s: SlurmNightly | null): string {
  if (!s) return 'local';
  const ids = s.jobIds.map(Number).filter(Number.isFinite);
  const span = ids.length === 0 ? '' : ids.length === 1 ? ` ${ids[0]}` : ` ${Math.min(...ids)}–${Math.max(...ids)}`;
  return `Slurm${span} (submission ${s.submission})`;
}
