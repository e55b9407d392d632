/**
 * How long a nightly will take, said before it starts, from what earlier nights measured: each
 * job still to run is priced at the newest finished job of the same kind and model, scaled by the
 * work it does (training: epochs × training images; a benchmark: as measured), then laid on the
 * schedule the nightly keeps (the teacher first, trainings `jobs` at a time, benchmarks alone).
 */
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { jobs } from '../db/schema.js';
import type { JobInputs, PlannedJob } from './plan.js';
import { duration } from './summary.js';

export interface WallEstimate {
  /** Expected seconds of the whole night; null when no job to run has a measured peer. */
  seconds: number | null;
  /** Jobs to run that had a measured peer, and those that had none (not counted). */
  priced: number;
  unpriced: number;
  /** Jobs already done (skipped by the nightly). */
  done: number;
}

/** What a job's time grows with: training images seen (epochs × images); 1 for a benchmark. */
function workOf(inputs: JobInputs): number | null {
  if (inputs.kind === 'bench') return 1;
  return inputs.trainLimit === null ? null : inputs.epochs * inputs.trainLimit;
}

/** Seconds per unit of work of the newest finished job like this one (same kind, model, mode, dataset, backend), or null. */
function pricePerWork(db: Db, job: PlannedJob): number | null {
  const rows = db
    .select({ inputs: jobs.inputs, startedAt: jobs.startedAt, endedAt: jobs.endedAt })
    .from(jobs)
    .where(and(eq(jobs.kind, job.kind), eq(jobs.status, 'succeeded'), isNotNull(jobs.startedAt), isNotNull(jobs.endedAt)))
    .orderBy(desc(jobs.id))
    .limit(500)
    .all();
  for (const row of rows) {
    const past = row.inputs as unknown as JobInputs;
    if (past.model !== job.inputs.model) continue;
    if (past.kind !== 'bench' && job.inputs.kind !== 'bench' && (past.dataset !== job.inputs.dataset || past.trainBackend !== job.inputs.trainBackend || past.resolution !== job.inputs.resolution)) continue;
    if (past.kind === 'train' && job.inputs.kind === 'train' && past.mode !== job.inputs.mode) continue;
    if (past.kind === 'bench' && job.inputs.kind === 'bench' && (past.runtime !== job.inputs.runtime || past.backend !== job.inputs.backend)) continue;
    const work = workOf(past);
    const seconds = (Date.parse(row.endedAt!) - Date.parse(row.startedAt!)) / 1000;
    if (work && seconds > 0) return seconds / work;
  }
  return null;
}

/**
 * The night's expected wall time on `concurrency` job slots, counting only jobs not yet done
 * (`isDone`), priced from earlier nights in `db`.
 */
export function estimateWall(db: Db, plan: readonly PlannedJob[], concurrency: number, isDone: (job: PlannedJob) => boolean): WallEstimate {
  let teacher = 0;
  let training = 0;
  let benches = 0;
  let priced = 0;
  let unpriced = 0;
  let done = 0;
  for (const job of plan) {
    if (isDone(job)) {
      done++;
      continue;
    }
    const price = pricePerWork(db, job);
    const work = workOf(job.inputs);
    if (price === null || work === null) {
      unpriced++;
      continue;
    }
    priced++;
    const seconds = price * work;
    if (job.kind === 'teacher') teacher += seconds;
    else if (job.kind === 'train') training += seconds;
    else benches += seconds;
  }
  return { seconds: priced === 0 ? null : teacher + training / Math.max(1, concurrency) + benches, priced, unpriced, done };
}

/** One line for the start of a nightly. */
export function formatEstimate(e: WallEstimate): string {
  const todo = e.priced + e.unpriced;
  if (todo === 0) return `nightly: all ${e.done} jobs already done`;
  if (e.seconds === null) return `nightly: ${todo} jobs to run, none measured on an earlier night: no time estimate yet (the next night will have one)`;
  const rest = e.unpriced ? `; ${e.unpriced} without a measured peer not counted` : '';
  return `nightly: ${todo} jobs to run, expected ${duration(e.seconds)} from earlier nights' job times${rest}`;
}
