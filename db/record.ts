/**
 * The two results usibench produces, declared once by their tables: a training run and a benchmark.
 * The trainer and the harness return these records, a job writes one to its result file, the
 * importer validates it with the zod schemas below (derived from the drizzle tables by drizzle-zod)
 * and inserts it as it is, adding only what the job knows (its key, mode, code version, the night).
 *
 * Each `record*` call is one transaction that stores a result together with the rows it refers to
 * (model, dataset, recipe, environment), so a crash between calls loses at most the result in
 * flight and never leaves a result pointing at nothing. Storing the same job's result twice in one
 * nightly returns the existing row instead of a copy.
 */
import crypto from 'node:crypto';
import { and, desc, eq, getTableColumns, isNull, type Table } from 'drizzle-orm';
import { createInsertSchema } from 'drizzle-zod';
import { z } from 'zod';
import { AllocationSchema } from '../common/allocation.js';
import { CurvePointSchema } from '../training/checkpoint.js';
import type { Db } from './index.js';
import { benchmarkResults, datasets, environments, models, recipes, teachers, trainingRuns } from './schema.js';

/** A model row: what the roster knows of a backbone (the bench adds MACs at its resolution). */
export const ModelFactsSchema = createInsertSchema(models);
export type ModelFacts = z.infer<typeof ModelFactsSchema>;

export const DatasetFactsSchema = createInsertSchema(datasets, { classNames: z.array(z.string()) });
export type DatasetFacts = z.infer<typeof DatasetFactsSchema>;

/** The machine and base software a result was produced on; common/environment.ts builds it. */
export const EnvironmentFactsSchema = createInsertSchema(environments, { versions: z.record(z.string(), z.string()) }).omit({ id: true, hash: true, firstSeen: true });
export type EnvironmentFacts = z.infer<typeof EnvironmentFactsSchema>;

/** Where a job ran when a scheduler placed it (common/allocation.ts); null when run locally. */
export const AllocationJsonSchema = AllocationSchema.nullable();

/** What a job adds to the result it stores (the result itself does not know why it was made). */
const JOB_COLUMNS = { id: true, jobKey: true, nightlyId: true, environmentId: true, createdAt: true, allocation: true } as const;

/**
 * A finished training run, as trainModel returns it and result.json / a job's result file hold it:
 * the training_runs columns the trainer knows, plus the rows they refer to.
 */
const accuracy = z.number().min(0).max(1);
export const TrainingRunSchema = createInsertSchema(trainingRuns, {
  curve: z.array(CurvePointSchema),
  // nullable in the table (older rows), always known for a finished run
  top1Raw: accuracy, top5Raw: accuracy, top1Ema: accuracy, top5Ema: accuracy, top1: accuracy, top5: accuracy,
  best: z.enum(['raw', 'ema']), wallSeconds: z.number().nonnegative(), modelDir: z.string().min(1), backend: z.string().min(1),
})
  .omit({ ...JOB_COLUMNS, pairKey: true, cohortKey: true, mode: true, teacherId: true, teacherModel: true, codeVersion: true, status: true, error: true })
  .extend({
    /** The teacher distilled from (its model directory and measured top-1); null for a run without KD. */
    teacher: z.object({ dir: z.string(), model: z.string(), top1: z.number() }).strict().nullable(),
    modelFacts: ModelFactsSchema,
    datasetFacts: DatasetFactsSchema,
    recipe: z.record(z.string(), z.unknown()),
    environment: EnvironmentFactsSchema,
  })
  .strict();
export type TrainingRun = z.infer<typeof TrainingRunSchema>;

/** A benchmark as the harness returns it: the benchmark_results columns, plus the model's row. */
export const BenchmarkSchema = createInsertSchema(benchmarkResults, { stepMsSamples: z.array(z.number()).nullable() })
  .omit({ ...JOB_COLUMNS, trainingRunId: true })
  .extend({
    /** Null for a model directory from outside the roster: it can be measured but not stored. */
    modelFacts: ModelFactsSchema.nullable(),
    environment: EnvironmentFactsSchema,
  })
  .strict();
export type Benchmark = z.infer<typeof BenchmarkSchema>;

/** What the job that produced a result stamps on it when it is stored. */
export interface TrainingStamp {
  jobKey: string;
  /** Same for a USI run and its baseline at one seed, to pair them for the gain. */
  pairKey: string;
  /** Same for a backbone's runs at every seed (both modes): what a top-1 interval is taken over. */
  cohortKey: string;
  mode: 'teacher' | 'usi' | 'baseline';
  teacherId: number | null;
  codeVersion: string;
  nightlyId: number | null;
  allocation?: z.infer<typeof AllocationJsonSchema>;
}

export interface BenchmarkStamp {
  jobKey: string;
  trainingRunId: number | null;
  nightlyId: number | null;
  allocation?: z.infer<typeof AllocationJsonSchema>;
}


function now(): string {
  return new Date().toISOString();
}

/** Only `table`'s own columns of a record: the referenced rows' facts travel beside them. */
function columnsOf<T extends Table>(table: T, record: Record<string, unknown>): T['$inferInsert'] {
  const keys = Object.keys(getTableColumns(table));
  return Object.fromEntries(Object.entries(record).filter(([k]) => keys.includes(k))) as T['$inferInsert'];
}

/** Inserts or refreshes a model row; counts already known are kept when the new ones are missing. */
export function upsertModel(db: Db, m: ModelFacts): void {
  const existing = db.select().from(models).where(eq(models.name, m.name)).get();
  if (!existing) {
    db.insert(models).values(m).run();
    return;
  }
  db.update(models)
    .set({
      family: m.family,
      description: m.description || existing.description,
      params: m.params ?? existing.params,
      gmacs: m.gmacs ?? existing.gmacs,
      gmacsResolution: m.gmacs != null ? (m.gmacsResolution ?? null) : existing.gmacsResolution,
      defaultResolution: m.defaultResolution,
    })
    .where(eq(models.name, m.name))
    .run();
}

export function upsertDataset(db: Db, d: DatasetFacts): void {
  db.insert(datasets).values(d).onConflictDoUpdate({ target: datasets.name, set: d }).run();
}

export function upsertRecipe(db: Db, hash: string, recipe: Record<string, unknown>): void {
  db.insert(recipes).values({ hash, recipe }).onConflictDoNothing().run();
}

/** The environment row for these facts, created on first sight. */
export function environmentId(db: Db, env: EnvironmentFacts): number {
  const hash = crypto.createHash('sha256').update(JSON.stringify([env.host, env.cpuModel, env.cores, env.gpu ?? null, env.os, Object.entries(env.versions).sort()])).digest('hex').slice(0, 32);
  db.insert(environments)
    .values({ ...env, hash, firstSeen: now() })
    .onConflictDoNothing()
    .run();
  return db.select({ id: environments.id }).from(environments).where(eq(environments.hash, hash)).get()!.id;
}

function sameNightly(column: typeof trainingRuns.nightlyId | typeof benchmarkResults.nightlyId, nightlyId: number | null) {
  return nightlyId === null ? isNull(column) : eq(column, nightlyId);
}

/** Stores one training run (and what it refers to) in one transaction; returns its id. */
export function recordTrainingRun(db: Db, run: TrainingRun, stamp: TrainingStamp): number {
  return db.transaction((tx) => {
    const existing = tx
      .select({ id: trainingRuns.id })
      .from(trainingRuns)
      .where(and(eq(trainingRuns.jobKey, stamp.jobKey), sameNightly(trainingRuns.nightlyId, stamp.nightlyId)))
      .get();
    if (existing) return existing.id;
    const txDb = tx as unknown as Db;
    upsertModel(txDb, run.modelFacts);
    upsertDataset(txDb, run.datasetFacts);
    upsertRecipe(txDb, run.recipeHash, run.recipe);
    return tx
      .insert(trainingRuns)
      .values({ ...columnsOf(trainingRuns, run), ...stamp, teacherModel: run.teacher?.model ?? null, status: 'ok', error: null, environmentId: environmentId(txDb, run.environment), createdAt: now() })
      .returning({ id: trainingRuns.id })
      .get().id;
  });
}

/** Stores a teacher trained by `trainingRunId`; the same job key maps to one teacher row. */
export function recordTeacher(db: Db, t: { jobKey: string; model: string; dataset: string; dir: string; top1: number; trainingRunId: number | null }): number {
  return db.transaction((tx) => {
    const existing = tx.select({ id: teachers.id }).from(teachers).where(eq(teachers.jobKey, t.jobKey)).get();
    if (existing) {
      tx.update(teachers).set({ dir: t.dir, top1: t.top1, trainingRunId: t.trainingRunId }).where(eq(teachers.id, existing.id)).run();
      return existing.id;
    }
    return tx.insert(teachers).values({ ...t, createdAt: now() }).returning({ id: teachers.id }).get().id;
  });
}

/** Stores one benchmark result in one transaction; returns its id. */
export function recordBenchmark(db: Db, bench: Benchmark, stamp: BenchmarkStamp): number {
  if (!bench.modelFacts) throw new Error(`benchmark of ${bench.model}: a model outside the roster cannot be stored`);
  const modelFacts = bench.modelFacts;
  return db.transaction((tx) => {
    const existing = tx
      .select({ id: benchmarkResults.id })
      .from(benchmarkResults)
      .where(and(eq(benchmarkResults.jobKey, stamp.jobKey), sameNightly(benchmarkResults.nightlyId, stamp.nightlyId)))
      .get();
    if (existing) return existing.id;
    const txDb = tx as unknown as Db;
    upsertModel(txDb, modelFacts);
    return tx
      .insert(benchmarkResults)
      .values({ ...columnsOf(benchmarkResults, bench), ...stamp, environmentId: environmentId(txDb, bench.environment), createdAt: now() })
      .returning({ id: benchmarkResults.id })
      .get().id;
  });
}

/** The newest successful training run for a job key, from any night, or undefined. */
export function finishedTrainingRun(db: Db, jobKey: string) {
  return db
    .select()
    .from(trainingRuns)
    .where(and(eq(trainingRuns.jobKey, jobKey), eq(trainingRuns.status, 'ok')))
    .orderBy(desc(trainingRuns.id))
    .get();
}

/** The newest successful benchmark for a job key, from any night, or undefined. */
export function finishedBenchmark(db: Db, jobKey: string) {
  return db
    .select()
    .from(benchmarkResults)
    .where(and(eq(benchmarkResults.jobKey, jobKey), eq(benchmarkResults.status, 'ok')))
    .orderBy(desc(benchmarkResults.id))
    .get();
}

export function teacherByJobKey(db: Db, jobKey: string) {
  return db.select().from(teachers).where(eq(teachers.jobKey, jobKey)).get();
}
