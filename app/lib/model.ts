/**
 * Queries for the model page that db/queries.ts does not have: the model's own row and its
 * training runs with their per-epoch curves (modelHistory returns runs without curves).
 * Read-only, on db/schema.ts.
 */
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { models, trainingRuns, type CurvePoint } from '../../db/schema.js';

export type ModelRow = typeof models.$inferSelect;

export function modelRow(db: Db, name: string): ModelRow | undefined {
  return db.select().from(models).where(eq(models.name, name)).get();
}

export interface TrainingSummary {
  id: number;
  mode: 'teacher' | 'usi' | 'baseline';
  dataset: string;
  status: 'ok' | 'failed';
  error: string | null;
  top1: number | null;
  top5: number | null;
  best: 'raw' | 'ema' | null;
  epochs: number;
  batchSize: number;
  resolution: number;
  seed: number;
  recipeHash: string;
  teacherModel: string | null;
  wallSeconds: number | null;
  backend: string | null;
  codeVersion: string;
  nightlyId: number | null;
  createdAt: string;
  curve: CurvePoint[];
}

/** The newest training run of each (dataset, mode: usi, baseline or teacher): the curves a reader compares today. */
export function latestTrainingRuns(db: Db, name: string): TrainingSummary[] {
  const runs = db
    .select({
      id: trainingRuns.id,
      mode: trainingRuns.mode,
      dataset: trainingRuns.dataset,
      status: trainingRuns.status,
      error: trainingRuns.error,
      top1: trainingRuns.top1,
      top5: trainingRuns.top5,
      best: trainingRuns.best,
      epochs: trainingRuns.epochs,
      batchSize: trainingRuns.batchSize,
      resolution: trainingRuns.resolution,
      seed: trainingRuns.seed,
      recipeHash: trainingRuns.recipeHash,
      teacherModel: trainingRuns.teacherModel,
      wallSeconds: trainingRuns.wallSeconds,
      backend: trainingRuns.backend,
      codeVersion: trainingRuns.codeVersion,
      nightlyId: trainingRuns.nightlyId,
      createdAt: trainingRuns.createdAt,
      curve: trainingRuns.curve,
    })
    .from(trainingRuns)
    .where(eq(trainingRuns.model, name))
    .orderBy(asc(trainingRuns.createdAt), asc(trainingRuns.id))
    .all();
  const newest = new Map<string, TrainingSummary>();
  for (const r of runs) newest.set(`${r.dataset}\u0000${r.mode}`, r);
  return [...newest.values()].sort((a, b) => a.dataset.localeCompare(b.dataset) || a.mode.localeCompare(b.mode));
}
