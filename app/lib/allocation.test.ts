import { describe, expect, it } from 'vitest';
import { formatAllocation, formatExecutor } from './allocation.js';

describe('runs page: where a job ran', () => {
  it('names the Slurm job, array task, node, CPUs and GPUs', () => {
    expect(formatAllocation({ scheduler: 'slurm', jobId: '1043', arrayJobId: '1040', arrayTaskId: 3, node: 'gpu-a07', cpus: 8, gpus: 2, partition: 'gpu' })).toBe('Slurm 1040_3 (job 1043) · node gpu-a07 · gpu · 8 CPUs, 2 GPUs');
    expect(formatAllocation({ scheduler: 'slurm', jobId: '77', arrayJobId: null, arrayTaskId: null, node: 'n1', cpus: 1, gpus: 0, partition: null })).toBe('Slurm 77 · node n1 · 1 CPU, 0 GPUs');
    expect(formatAllocation(null)).toBe('');
  });

  it('tells a local nightly from a Slurm submission', () => {
    expect(formatExecutor(null)).toBe('local');
    expect(formatExecutor({ planId: 'p', submission: 2, jobIds: ['18', '12', '15'] })).toBe('Slurm 12–18 (submission 2)');
  });
});
