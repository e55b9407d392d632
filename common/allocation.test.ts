import { describe, expect, it } from 'vitest';
import { AllocationSchema, currentAllocation } from './allocation.js';

describe('currentAllocation', () => {
  it('is null outside Slurm', () => {
    expect(currentAllocation({ PATH: '/usr/bin', HOSTNAME: 'x' })).toBeNull();
  });

  it('reads an array task on a GPU node', () => {
    const a = currentAllocation({
      SLURM_JOB_ID: '1043',
      SLURM_ARRAY_JOB_ID: '1040',
      SLURM_ARRAY_TASK_ID: '3',
      SLURMD_NODENAME: 'gpu-a07',
      SLURM_CPUS_ON_NODE: '8',
      SLURM_JOB_CPUS_PER_NODE: '8',
      SLURM_GPUS_ON_NODE: '2',
      SLURM_JOB_GPUS: '0,1',
      SLURM_JOB_PARTITION: 'gpu',
    });
    expect(a).toEqual({ scheduler: 'slurm', jobId: '1043', arrayJobId: '1040', arrayTaskId: 3, node: 'gpu-a07', cpus: 8, gpus: 2, partition: 'gpu' });
  });

  it('reads a plain CPU job: no array, no GPUs, CPUs from the per-node list', () => {
    const a = currentAllocation({ SLURM_JOB_ID: '77', SLURMD_NODENAME: 'n1', SLURM_JOB_CPUS_PER_NODE: '4(x2)', SLURM_JOB_PARTITION: 'debug' });
    expect(a).toEqual({ scheduler: 'slurm', jobId: '77', arrayJobId: null, arrayTaskId: null, node: 'n1', cpus: 4, gpus: 0, partition: 'debug' });
  });

  it('counts GPUs from the index list where Slurm gives no count', () => {
    expect(currentAllocation({ SLURM_JOB_ID: '5', SLURM_JOB_GPUS: '0,2,3' })?.gpus).toBe(3);
  });

  it('the schema refuses a malformed record', () => {
    expect(AllocationSchema.safeParse({ scheduler: 'slurm', jobId: '', arrayJobId: null, arrayTaskId: null, node: null, cpus: null, gpus: 0, partition: null }).success).toBe(false);
    expect(AllocationSchema.safeParse({ scheduler: 'pbs', jobId: '1', arrayJobId: null, arrayTaskId: null, node: null, cpus: null, gpus: 0, partition: null }).success).toBe(false);
  });
});
