/**
 * Where a job ran when a scheduler placed it: the Slurm job (and array task), the node, and what
 * the allocation holds. Read from the variables Slurm sets in every task's environment, so a
 * result can record the allocation its numbers were measured on.
 */
import { z } from 'zod';

export const AllocationSchema = z
  .object({
    scheduler: z.literal('slurm'),
    jobId: z.string().min(1),
    /** The array's job id and this task's index; null for a job that is not part of an array. */
    arrayJobId: z.string().min(1).nullable(),
    arrayTaskId: z.number().int().nonnegative().nullable(),
    node: z.string().min(1).nullable(),
    /** CPUs allocated to the job on this node. */
    cpus: z.number().int().positive().nullable(),
    /** GPUs allocated on this node: 0 when the job asked for none (Slurm then sets no GPU variable). */
    gpus: z.number().int().nonnegative(),
    partition: z.string().min(1).nullable(),
  })
  .strict();

export type Allocation = z.infer<typeof AllocationSchema>;

/** The environment variables read (process.env, or a task's environment in tests). */
type Env = Record<string, string | undefined>;

function int(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim());
}

/** SLURM_JOB_CPUS_PER_NODE is a compressed list ("4(x2),2"); the first entry is this (batch) node's. */
function firstCount(list: string | undefined): number | null {
  const m = list?.match(/^(\d+)/);
  return m ? Number(m[1]) : null;
}

function gpuCount(env: Env): number {
  const onNode = int(env.SLURM_GPUS_ON_NODE);
  if (onNode !== null) return onNode;
  // Older Slurm sets only the list of GPU indices the job holds ("0,1").
  const list = env.SLURM_JOB_GPUS ?? env.SLURM_STEP_GPUS;
  return list && list.trim() ? list.split(',').filter((s) => s.trim()).length : 0;
}

/** The Slurm allocation this process runs in, or null outside Slurm. */
export function currentAllocation(env: Env = process.env): Allocation | null {
  const jobId = env.SLURM_JOB_ID ?? env.SLURM_JOBID;
  if (!jobId) return null;
  const arrayJobId = env.SLURM_ARRAY_JOB_ID || null;
  return AllocationSchema.parse({
    scheduler: 'slurm',
    jobId,
    arrayJobId,
    arrayTaskId: arrayJobId ? int(env.SLURM_ARRAY_TASK_ID) : null,
    node: env.SLURMD_NODENAME || null,
    cpus: int(env.SLURM_CPUS_ON_NODE) ?? firstCount(env.SLURM_JOB_CPUS_PER_NODE),
    gpus: gpuCount(env),
    partition: env.SLURM_JOB_PARTITION || null,
  });
}

/**
 * A nightly that ran on Slurm, as its nightly_runs row keeps it (in `summary.slurm`): the plan and
 * which submission of it, and the Slurm ids of the batch jobs submitted (an array counts once).
 */
export const SlurmNightlySchema = z
  .object({
    planId: z.string().min(1),
    submission: z.number().int().positive(),
    jobIds: z.array(z.string().min(1)),
  })
  .strict();

export type SlurmNightly = z.infer<typeof SlurmNightlySchema>;
