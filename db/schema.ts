/**
 * The results database. Every stored number keeps the protocol it was measured under, so rows are
 * wide on purpose: a benchmark row can be read on its own, without guessing the run around it.
 *
 * Conventions: timestamps are ISO-8601 strings (sortable, readable in the sqlite shell); accuracies
 * are fractions in [0,1]; JSON columns hold the full record the narrower columns were picked from.
 * `job_key` is the hash of a job's exact inputs; together with `nightly_id` it is unique, so a
 * resumed or repeated job can never store its result twice in one night.
 */
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ProtocolRecord } from '../bench/protocol.js';
import type { Allocation } from '../common/allocation.js';
import type { CurvePoint } from '../training/checkpoint.js';

export const models = sqliteTable('models', {
  name: text('name').primaryKey(),
  family: text('family', { enum: ['cnn', 'mobile', 'transformer', 'mlp'] }).notNull(),
  description: text('description').notNull().default(''),
  params: integer('params'),
  /** Multiply-accumulates of one image at `gmacsResolution`, in billions. */
  gmacs: real('gmacs'),
  gmacsResolution: integer('gmacs_resolution'),
  defaultResolution: integer('default_resolution').notNull(),
});

export const datasets = sqliteTable('datasets', {
  /** The spec users pass: 'mnist', 'cifar10', 'imagefolder:/path'. */
  name: text('name').primaryKey(),
  numClasses: integer('num_classes').notNull(),
  channels: integer('channels').notNull(),
  resolution: integer('resolution').notNull(),
  classNames: text('class_names', { mode: 'json' }).$type<string[]>().notNull(),
});

export const recipes = sqliteTable('recipes', {
  hash: text('hash').primaryKey(),
  recipe: text('recipe', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
});

export const environments = sqliteTable(
  'environments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Hash of every other column, so the same machine and software map to one row. */
    hash: text('hash').notNull(),
    host: text('host').notNull(),
    cpuModel: text('cpu_model').notNull(),
    cores: integer('cores').notNull(),
    gpu: text('gpu'),
    os: text('os').notNull(),
    versions: text('versions', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    firstSeen: text('first_seen').notNull(),
  },
  (t) => [uniqueIndex('environments_hash').on(t.hash)],
);

export const nightlyRuns = sqliteTable('nightly_runs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  startedAt: text('started_at').notNull(),
  endedAt: text('ended_at'),
  /** 'interrupted' is set by the next nightly when it finds this one's process gone. */
  status: text('status', { enum: ['running', 'succeeded', 'failed', 'interrupted'] }).notNull(),
  gitCommit: text('git_commit').notNull(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  preset: text('preset'),
  config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  environmentId: integer('environment_id').references(() => environments.id),
  summary: text('summary', { mode: 'json' }).$type<Record<string, unknown>>(),
});

/**
 * At most one row (id = 1): the nightly holding the database. A crash leaves the row behind, so a
 * new nightly checks whether `pid` still lives on `host` before refusing.
 */
export const pipelineLock = sqliteTable('pipeline_lock', {
  id: integer('id').primaryKey(),
  nightlyId: integer('nightly_id').notNull(),
  pid: integer('pid').notNull(),
  host: text('host').notNull(),
  acquiredAt: text('acquired_at').notNull(),
});

export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    nightlyId: integer('nightly_id')
      .notNull()
      .references(() => nightlyRuns.id),
    kind: text('kind', { enum: ['teacher', 'train', 'bench'] }).notNull(),
    key: text('key').notNull(),
    label: text('label').notNull(),
    status: text('status', { enum: ['pending', 'running', 'succeeded', 'failed', 'skipped'] }).notNull(),
    logPath: text('log_path'),
    error: text('error'),
    startedAt: text('started_at'),
    endedAt: text('ended_at'),
    inputs: text('inputs', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [uniqueIndex('jobs_nightly_key').on(t.nightlyId, t.key)],
);

export const teachers = sqliteTable(
  'teachers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    model: text('model')
      .notNull()
      .references(() => models.name),
    dataset: text('dataset')
      .notNull()
      .references(() => datasets.name),
    /** The tfjs model directory students distil from. */
    dir: text('dir').notNull(),
    top1: real('top1').notNull(),
    trainingRunId: integer('training_run_id').references(() => trainingRuns.id),
    jobKey: text('job_key').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('teachers_job_key').on(t.jobKey)],
);

export type { CurvePoint };

export const trainingRuns = sqliteTable(
  'training_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobKey: text('job_key').notNull(),
    /** Same for a USI run and its baseline (every input but the teacher), to pair them for gains. */
    pairKey: text('pair_key').notNull(),
    /**
     * Same for a backbone's runs at every seed of a nightly's plan, USI and baseline alike (every
     * input but the seed and the teacher): the runs a top-1 interval is taken over. Rows from
     * before seeds were planned get their pair key, a cohort of one.
     */
    cohortKey: text('cohort_key'),
    model: text('model')
      .notNull()
      .references(() => models.name),
    dataset: text('dataset')
      .notNull()
      .references(() => datasets.name),
    recipeHash: text('recipe_hash')
      .notNull()
      .references(() => recipes.hash),
    /** 'teacher': the run that trained a teacher; 'usi': distilled from one; 'baseline': same recipe, no KD. */
    mode: text('mode', { enum: ['teacher', 'usi', 'baseline'] }).notNull(),
    teacherId: integer('teacher_id'),
    teacherModel: text('teacher_model'),
    seed: integer('seed').notNull(),
    epochs: integer('epochs').notNull(),
    batchSize: integer('batch_size').notNull(),
    resolution: integer('resolution').notNull(),
    trainLimit: integer('train_limit'),
    testLimit: integer('test_limit'),
    status: text('status', { enum: ['ok', 'failed'] }).notNull(),
    error: text('error'),
    curve: text('curve', { mode: 'json' }).$type<CurvePoint[]>().notNull(),
    top1Raw: real('top1_raw'),
    top5Raw: real('top5_raw'),
    top1Ema: real('top1_ema'),
    top5Ema: real('top5_ema'),
    best: text('best', { enum: ['raw', 'ema'] }),
    /** The kept weights' accuracy: raw or EMA, whichever `best` names. */
    top1: real('top1'),
    top5: real('top5'),
    wallSeconds: real('wall_seconds'),
    modelDir: text('model_dir'),
    backend: text('backend'),
    codeVersion: text('code_version').notNull(),
    /** The scheduler's allocation the run trained in (Slurm job, array task, node, CPUs, GPUs); null when run locally. */
    allocation: text('allocation', { mode: 'json' }).$type<AllocationJson>(),
    nightlyId: integer('nightly_id').references(() => nightlyRuns.id),
    environmentId: integer('environment_id').references(() => environments.id),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('training_runs_job_nightly').on(t.jobKey, t.nightlyId),
    index('training_runs_pair').on(t.pairKey),
    index('training_runs_cohort').on(t.cohortKey),
    index('training_runs_model').on(t.model, t.dataset),
  ],
);

/** The protocol record stored with each benchmark result: exactly what the harness produced. */
export type ProtocolJson = ProtocolRecord;

/** Where a job ran when a scheduler placed it (common/allocation.ts); null when run locally. */
export type AllocationJson = Allocation | null;

export const benchmarkResults = sqliteTable(
  'benchmark_results',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobKey: text('job_key').notNull(),
    model: text('model')
      .notNull()
      .references(() => models.name),
    trainingRunId: integer('training_run_id').references(() => trainingRuns.id),
    runtime: text('runtime').notNull(),
    backend: text('backend').notNull(),
    device: text('device').notNull(),
    precision: text('precision').notNull(),
    batchSize: integer('batch_size').notNull(),
    resolution: integer('resolution').notNull(),
    /** As counted by the bench for this exact graph and resolution (the model row keeps the default-resolution figure). */
    params: integer('params'),
    gmacs: real('gmacs'),
    imagesPerSec: real('images_per_sec'),
    /** Per-iteration wall time at `batchSize`, ms (timm's infer_step_time). */
    stepMsMean: real('step_ms_mean'),
    stepMsMedian: real('step_ms_median'),
    stepMsP90: real('step_ms_p90'),
    stepMsP99: real('step_ms_p99'),
    stepMsSd: real('step_ms_sd'),
    /** Relative margin of error of the throughput samples, percent. */
    rme: real('rme'),
    samples: integer('samples'),
    /** Every timed iteration at `batchSize`, ms, in the order timed: what a regression test between nights compares. */
    stepMsSamples: text('step_ms_samples', { mode: 'json' }).$type<number[]>(),
    /** Batch-1 latency, ms. */
    latencyP50: real('latency_p50'),
    latencyP90: real('latency_p90'),
    latencyP99: real('latency_p99'),
    latencyMean: real('latency_mean'),
    latencySd: real('latency_sd'),
    /** Relative margin of error of the batch-1 samples, percent. */
    latencyRme: real('latency_rme'),
    latencySamples: integer('latency_samples'),
    noisy: integer('noisy', { mode: 'boolean' }).notNull().default(false),
    status: text('status', { enum: ['ok', 'failed'] }).notNull(),
    error: text('error'),
    protocol: text('protocol', { mode: 'json' }).$type<ProtocolJson>().notNull(),
    allocation: text('allocation', { mode: 'json' }).$type<AllocationJson>(),
    nightlyId: integer('nightly_id').references(() => nightlyRuns.id),
    environmentId: integer('environment_id').references(() => environments.id),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('benchmark_results_job_nightly').on(t.jobKey, t.nightlyId),
    index('benchmark_results_filter').on(t.device, t.runtime, t.backend, t.precision, t.batchSize, t.resolution),
  ],
);

export const schemaTables = {
  models,
  datasets,
  recipes,
  environments,
  nightlyRuns,
  pipelineLock,
  jobs,
  teachers,
  trainingRuns,
  benchmarkResults,
};
