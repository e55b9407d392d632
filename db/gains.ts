/**
 * A backbone's numbers over seeds, and what the USI recipe buys it. A cohort is a backbone's runs
 * at every seed of one plan (USI and baseline alike, same data and schedule); within it, each
 * mode's top-1 is a mean with its interval, and the gain is the mean of paired differences (USI
 * seed s − baseline seed s) with its paired interval. Pure, so it is unit-tested.
 */
import { meanInterval, pairedInterval, type MeanInterval } from './intervals.js';

export type TrainingMode = 'teacher' | 'usi' | 'baseline';

export interface GainInputRun {
  id: number;
  model: string;
  dataset: string;
  mode: TrainingMode;
  /** Identical for a USI run and its baseline at the same seed: every training input except the teacher. */
  pairKey: string;
  /** Identical for a backbone's runs at every seed; null in rows older than seeds (the pair key stands in). */
  cohortKey: string | null;
  recipeHash: string;
  status: 'ok' | 'failed';
  top1: number | null;
  top5?: number | null;
  createdAt: string;
}

/** One mode of a cohort: the newest finished run at each seed, and their top-1 (and top-5) over seeds. */
export interface ModeStats {
  runIds: number[];
  top1: MeanInterval;
  top5: MeanInterval | null;
}

export interface Cohort {
  cohortKey: string;
  model: string;
  dataset: string;
  modes: Partial<Record<TrainingMode, ModeStats>>;
  /** USI − baseline over the seeds both finished; null without a pair. */
  gain: Gain | null;
  /** When its newest counted run was stored. */
  createdAt: string;
}

export interface Gain {
  model: string;
  dataset: string;
  cohortKey: string;
  recipeHash: string;
  usiRunIds: number[];
  baselineRunIds: number[];
  /** Means over the paired seeds. */
  usiTop1: number;
  baselineTop1: number;
  /** Mean of usi − baseline over paired seeds, as a fraction (0.012 = +1.2 points). */
  gain: number;
  gainSd: number | null;
  gainCi95: number | null;
  /** Pairs the gain is the mean of. */
  n: number;
  /** Whether the paired interval excludes 0; null with one pair. */
  significant: boolean | null;
  createdAt: string;
}

function newer(a: GainInputRun, b: GainInputRun): boolean {
  return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
}

/** The newest finished run per (cohort, mode, seed), grouped by cohort. */
function newestPerSeed(runs: readonly GainInputRun[]): Map<string, Map<TrainingMode, Map<string, GainInputRun>>> {
  const cohorts = new Map<string, Map<TrainingMode, Map<string, GainInputRun>>>();
  for (const run of runs) {
    if (run.status !== 'ok' || run.top1 === null) continue;
    const cohortKey = run.cohortKey ?? run.pairKey;
    const modes = cohorts.get(cohortKey) ?? new Map<TrainingMode, Map<string, GainInputRun>>();
    const bySeed = modes.get(run.mode) ?? new Map<string, GainInputRun>();
    const current = bySeed.get(run.pairKey);
    if (!current || newer(run, current)) bySeed.set(run.pairKey, run);
    modes.set(run.mode, bySeed);
    cohorts.set(cohortKey, modes);
  }
  return cohorts;
}

/** The gain of a cohort from its USI and baseline runs per seed, paired by pair key; null without a pair. */
function gainOf(cohortKey: string, usi: Map<string, GainInputRun>, baseline: Map<string, GainInputRun>): Gain | null {
  const pairs = [...usi].filter(([pairKey]) => baseline.has(pairKey)).map(([pairKey, u]) => [u, baseline.get(pairKey)!] as const);
  const diff = pairedInterval(pairs.map(([u, b]) => [u.top1!, b.top1!] as const));
  if (!diff) return null;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    model: pairs[0][0].model,
    dataset: pairs[0][0].dataset,
    cohortKey,
    recipeHash: pairs[0][0].recipeHash,
    usiRunIds: pairs.map(([u]) => u.id),
    baselineRunIds: pairs.map(([, b]) => b.id),
    usiTop1: mean(pairs.map(([u]) => u.top1!)),
    baselineTop1: mean(pairs.map(([, b]) => b.top1!)),
    gain: diff.mean,
    gainSd: diff.sd,
    gainCi95: diff.ci95,
    n: diff.n,
    significant: diff.significant,
    createdAt: pairs.flat().reduce((a, r) => (newer(r, a) ? r : a)).createdAt,
  };
}

/** Every cohort with at least one finished run, keyed by cohort key. */
export function computeCohorts(runs: readonly GainInputRun[]): Map<string, Cohort> {
  const out = new Map<string, Cohort>();
  for (const [cohortKey, modes] of newestPerSeed(runs)) {
    const cohort: Cohort = { cohortKey, model: '', dataset: '', modes: {}, gain: null, createdAt: '' };
    for (const [mode, bySeed] of modes) {
      const seedRuns = [...bySeed.values()];
      const top5 = seedRuns.map((r) => r.top5).filter((v): v is number => typeof v === 'number');
      cohort.modes[mode] = {
        runIds: seedRuns.map((r) => r.id),
        top1: meanInterval(seedRuns.map((r) => r.top1!))!,
        top5: top5.length === seedRuns.length ? meanInterval(top5) : null,
      };
      for (const r of seedRuns) {
        cohort.model = r.model;
        cohort.dataset = r.dataset;
        if (r.createdAt > cohort.createdAt) cohort.createdAt = r.createdAt;
      }
    }
    const usi = modes.get('usi');
    const baseline = modes.get('baseline');
    if (usi && baseline) cohort.gain = gainOf(cohortKey, usi, baseline);
    out.set(cohortKey, cohort);
  }
  return out;
}

/**
 * One gain per cohort that has a USI run and a baseline at the same seed: the newest run of each
 * side at each seed, paired by seed. Sorted by model, then dataset.
 */
export function computeGains(runs: readonly GainInputRun[]): Gain[] {
  return [...computeCohorts(runs).values()]
    .flatMap((c) => (c.gain ? [c.gain] : []))
    .sort((a, b) => a.model.localeCompare(b.model) || a.dataset.localeCompare(b.dataset));
}
