/**
 * Writing results. Each `record*` call is one transaction that stores a finished result together
 * with the rows it refers to (model, dataset, recipe, environment), so a crash between calls loses
 * at most the result in flight, and never leaves a result pointing at nothing.
 * Storing the same job's result twice in one nightly returns the existing row instead of a copy.
 */
import crypto from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Family } from '../training/models/registry.js';
import type { Db } from './index.js';
import { benchmarkResults, datasets, environments, models, recipes, teachers, trainingRuns, type CurvePoint, type ProtocolJson } from './schema.js';

export interface ModelFacts {
  name: string;
  family: Family;
  description?: string;
  params?: number | null;
  gmacs?: number | null;
  gmacsResolution?: number | null;
  defaultResolution: number;
}

export interface DatasetFacts {
  name: string;
  numClasses: number;
  channels: number;
  resolution: number;
  classNames: string[];
}

export interface EnvironmentFacts {
  host: string;
  cpuModel: string;
  cores: number;
  gpu: string | null;
  os: string;
  versions: Record<string, string>;
}

function now(): string {
  return new Date().toISOString();
}

/** Inserts or refreshes a model row; counts already known are kept when the new ones are missing. */
export function upsertModel(db: Db, m: ModelFacts): void {
  const values = {
    name: m.name,
    family: m.family,
    description: m.description ?? '',
    params: m.params ?? null,
    gmacs: m.gmacs ?? null,
    gmacsResolution: m.gmacsResolution ?? null,
    defaultResolution: m.defaultResolution,
  };
  const existing = db.select().from(models).where(eq(models.name, m.name)).get();
  if (!existing) {
    db.insert(models).values(values).run();
    return;
  }
  db.update(models)
    .set({
      family: m.family,
      description: m.description ?? existing.description,
      params: m.params ?? existing.params,
      gmacs: m.gmacs ?? existing.gmacs,
      gmacsResolution: m.gmacs != null ? (m.gmacsResolution ?? null) : existing.gmacsResolution,
      defaultResolution: m.defaultResolution,
    })
    .where(eq(models.name, m.name))
    .run();
}

export function upsertDataset(db: Db, d: DatasetFacts): void {
  db.insert(datasets)
    .values(d)
    .onConflictDoUpdate({ target: datasets.name, set: { numClasses: d.numClasses, channels: d.channels, resolution: d.resolution, classNames: d.classNames } })
    .run();
}

export function upsertRecipe(db: Db, hash: string, recipe: Record<string, unknown>): void {
  db.insert(recipes).values({ hash, recipe }).onConflictDoNothing().run();
}

/** The environment row for these facts, created on first sight. */
export function environmentId(db: Db, env: EnvironmentFacts): number {
  const hash = crypto.createHash('sha256').update(JSON.stringify([env.host, env.cpuModel, env.cores, env.gpu, env.os, Object.entries(env.versions).sort()])).digest('hex').slice(0, 32);
  db.insert(environments)
    .values({ ...env, hash, firstSeen: now() })
    .onConflictDoNothing()
    .run();
  return db.select({ id: environments.id }).from(environments).where(eq(environments.hash, hash)).get()!.id;
}

export interface TrainingRecord {
  jobKey: string;
  pairKey: string;
  model: ModelFacts;
  dataset: DatasetFacts;
  recipeHash: string;
  recipe: Record<string, unknown>;
  mode: 'teacher' | 'usi' | 'baseline';
  teacherId: number | null;
  teacherModel: string | null;
  seed: number;
  epochs: number;
  batchSize: number;
  resolution: number;
  trainLimit: number | null;
  testLimit: number | null;
  status: 'ok' | 'failed';
  error: string | null;
  curve: CurvePoint[];
  top1Raw: number | null;
  top5Raw: number | null;
  top1Ema: number | null;
  top5Ema: number | null;
  best: 'raw' | 'ema' | null;
  wallSeconds: number | null;
  modelDir: string | null;
  backend: string | null;
  codeVersion: string;
  nightlyId: number | null;
  environment: EnvironmentFacts | null;
}

function sameNightly(column: typeof trainingRuns.nightlyId | typeof benchmarkResults.nightlyId, nightlyId: number | null) {
  return nightlyId === null ? isNull(column) : eq(column, nightlyId);
}

/** Stores one training run (and what it refers to) in one transaction; returns its id. */
export function recordTrainingRun(db: Db, r: TrainingRecord): number {
  return db.transaction((tx) => {
    const existing = tx
      .select({ id: trainingRuns.id })
      .from(trainingRuns)
      .where(and(eq(trainingRuns.jobKey, r.jobKey), sameNightly(trainingRuns.nightlyId, r.nightlyId)))
      .get();
    if (existing) return existing.id;
    const txDb = tx as unknown as Db;
    upsertModel(txDb, r.model);
    upsertDataset(txDb, r.dataset);
    upsertRecipe(txDb, r.recipeHash, r.recipe);
    const envId = r.environment ? environmentId(txDb, r.environment) : null;
    const useEma = r.best === 'ema';
    const row = tx
      .insert(trainingRuns)
      .values({
        jobKey: r.jobKey,
        pairKey: r.pairKey,
        model: r.model.name,
        dataset: r.dataset.name,
        recipeHash: r.recipeHash,
        mode: r.mode,
        teacherId: r.teacherId,
        teacherModel: r.teacherModel,
        seed: r.seed,
        epochs: r.epochs,
        batchSize: r.batchSize,
        resolution: r.resolution,
        trainLimit: r.trainLimit,
        testLimit: r.testLimit,
        status: r.status,
        error: r.error,
        curve: r.curve,
        top1Raw: r.top1Raw,
        top5Raw: r.top5Raw,
        top1Ema: r.top1Ema,
        top5Ema: r.top5Ema,
        best: r.best,
        top1: useEma ? r.top1Ema : r.top1Raw,
        top5: useEma ? r.top5Ema : r.top5Raw,
        wallSeconds: r.wallSeconds,
        modelDir: r.modelDir,
        backend: r.backend,
        codeVersion: r.codeVersion,
        nightlyId: r.nightlyId,
        environmentId: envId,
        createdAt: now(),
      })
      .returning({ id: trainingRuns.id })
      .get();
    return row.id;
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

export interface BenchmarkRecord {
  jobKey: string;
  model: ModelFacts;
  trainingRunId: number | null;
  runtime: string;
  backend: string;
  device: string;
  precision: string;
  batchSize: number;
  resolution: number;
  params: number | null;
  gmacs: number | null;
  imagesPerSec: number | null;
  throughput: { mean: number; median: number; p90: number; p99: number; sd: number; rme: number; samples: number } | null;
  latency: { p50: number; p90: number; p99: number; mean: number } | null;
  noisy: boolean;
  status: 'ok' | 'failed';
  error: string | null;
  protocol: ProtocolJson;
  nightlyId: number | null;
  environment: EnvironmentFacts | null;
}

/** Stores one benchmark result in one transaction; returns its id. */
export function recordBenchmark(db: Db, r: BenchmarkRecord): number {
  return db.transaction((tx) => {
    const existing = tx
      .select({ id: benchmarkResults.id })
      .from(benchmarkResults)
      .where(and(eq(benchmarkResults.jobKey, r.jobKey), sameNightly(benchmarkResults.nightlyId, r.nightlyId)))
      .get();
    if (existing) return existing.id;
    const txDb = tx as unknown as Db;
    upsertModel(txDb, r.model);
    const envId = r.environment ? environmentId(txDb, r.environment) : null;
    return tx
      .insert(benchmarkResults)
      .values({
        jobKey: r.jobKey,
        model: r.model.name,
        trainingRunId: r.trainingRunId,
        runtime: r.runtime,
        backend: r.backend,
        device: r.device,
        precision: r.precision,
        batchSize: r.batchSize,
        resolution: r.resolution,
        params: r.params,
        gmacs: r.gmacs,
        imagesPerSec: r.imagesPerSec,
        stepMsMean: r.throughput?.mean ?? null,
        stepMsMedian: r.throughput?.median ?? null,
        stepMsP90: r.throughput?.p90 ?? null,
        stepMsP99: r.throughput?.p99 ?? null,
        stepMsSd: r.throughput?.sd ?? null,
        rme: r.throughput?.rme ?? null,
        samples: r.throughput?.samples ?? null,
        latencyP50: r.latency?.p50 ?? null,
        latencyP90: r.latency?.p90 ?? null,
        latencyP99: r.latency?.p99 ?? null,
        latencyMean: r.latency?.mean ?? null,
        noisy: r.noisy,
        status: r.status,
        error: r.error,
        protocol: r.protocol,
        nightlyId: r.nightlyId,
        environmentId: envId,
        createdAt: now(),
      })
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
