/**
 * What the USI recipe buys each backbone: its distilled top-1 minus the top-1 of the same model
 * trained with the same recipe, data, schedule and seed but no teacher. Pure, so it is unit-tested.
 */
export interface GainInputRun {
  id: number;
  model: string;
  dataset: string;
  mode: 'teacher' | 'usi' | 'baseline';
  /** Identical for a USI run and its baseline: every training input except the teacher. */
  pairKey: string;
  recipeHash: string;
  status: 'ok' | 'failed';
  top1: number | null;
  createdAt: string;
}

export interface Gain {
  model: string;
  dataset: string;
  pairKey: string;
  recipeHash: string;
  usiRunId: number;
  baselineRunId: number;
  usiTop1: number;
  baselineTop1: number;
  /** usiTop1 − baselineTop1, as a fraction (0.012 = +1.2 points). */
  gain: number;
  createdAt: string;
}

function newer(a: GainInputRun, b: GainInputRun): boolean {
  return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
}

/**
 * One gain per pair key that has both a finished USI run and a finished baseline; when a pair was
 * trained on several nights the newest run of each side is used. Sorted by model, then dataset.
 */
export function computeGains(runs: readonly GainInputRun[]): Gain[] {
  const latest = new Map<string, { usi?: GainInputRun; baseline?: GainInputRun }>();
  for (const run of runs) {
    if (run.status !== 'ok' || run.top1 === null || run.mode === 'teacher') continue;
    const slot = latest.get(run.pairKey) ?? {};
    const current = slot[run.mode];
    if (!current || newer(run, current)) slot[run.mode] = run;
    latest.set(run.pairKey, slot);
  }
  const gains: Gain[] = [];
  for (const [pairKey, { usi, baseline }] of latest) {
    if (!usi || !baseline || usi.top1 === null || baseline.top1 === null) continue;
    gains.push({
      model: usi.model,
      dataset: usi.dataset,
      pairKey,
      recipeHash: usi.recipeHash,
      usiRunId: usi.id,
      baselineRunId: baseline.id,
      usiTop1: usi.top1,
      baselineTop1: baseline.top1,
      gain: usi.top1 - baseline.top1,
      createdAt: newer(usi, baseline) ? usi.createdAt : baseline.createdAt,
    });
  }
  return gains.sort((a, b) => a.model.localeCompare(b.model) || a.dataset.localeCompare(b.dataset));
}
