/**
 * Where a job's files lie in the nightly's work directory, the same for a local nightly and a
 * Slurm task: a job's out dir (checkpoints, trained model, its result file) is named by its key,
 * so a rerun or a resubmission of the same job resumes in it, on whichever node it lands.
 */
import path from 'node:path';
import type { PlannedJob } from './plan.js';

/** A job's one result file (runner.ts's WorkerResult), written atomically by the job's process. */
export const RESULT_FILE = 'job-result.json';

export function jobOutDir(workDir: string, key: string): string {
  return path.join(workDir, 'runs', key);
}

export function jobResultFile(workDir: string, key: string): string {
  return path.join(jobOutDir(workDir, key), RESULT_FILE);
}

/** A job's log in `logDir`: its label, readable in a listing, and the end of its key, unique. */
export function jobLogFile(logDir: string, job: Pick<PlannedJob, 'key' | 'label'>): string {
  return path.join(logDir, `${job.label.replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, 60)}-${job.key.slice(-8)}.log`);
}
