import { describe, expect, it } from 'vitest';
import { Rng } from '../common/rng.js';
import { dominates, paretoFront, paretoMask, type ParetoPoint } from './pareto.js';

/** The definition itself, O(n²): the independent reference the sweep is checked against. */
function bruteForce(points: ParetoPoint[]): boolean[] {
  const finite = (p: ParetoPoint) => Number.isFinite(p.top1) && Number.isFinite(p.imagesPerSec);
  return points.map((p, i) => finite(p) && !points.some((q, j) => j !== i && finite(q) && dominates(q, p)));
}

const P = (top1: number, imagesPerSec: number) => ({ top1, imagesPerSec });

describe('paretoMask', () => {
  it('keeps a point unless another is >= on both axes and > on one (hand-worked)', () => {
    // a: most accurate; b: fastest; c: dominated by a and b; d: ties a on top-1 but slower -> dominated;
    // e: ties b on speed but less accurate -> dominated; f: between a and b, on it.
    const pts = [P(0.9, 100), P(0.7, 500), P(0.6, 90), P(0.9, 50), P(0.65, 500), P(0.8, 300)];
    expect(paretoMask(pts)).toEqual([true, true, false, false, false, true]);
  });

  it('keeps both of two exact duplicates on the front', () => {
    const pts = [P(0.9, 100), P(0.9, 100), P(0.5, 50)];
    expect(paretoMask(pts)).toEqual([true, true, false]);
  });

  it('drops a duplicate pair when a third point dominates them', () => {
    expect(paretoMask([P(0.8, 100), P(0.8, 100), P(0.8, 101)])).toEqual([false, false, true]);
  });

  it('ignores points with an unknown coordinate (they neither sit on nor shape the front)', () => {
    expect(paretoMask([P(Number.NaN, 1000), P(0.5, 10), P(0.99, Number.POSITIVE_INFINITY)])).toEqual([false, true, false]);
  });

  it('handles the empty list and a single point', () => {
    expect(paretoMask([])).toEqual([]);
    expect(paretoMask([P(0.1, 1)])).toEqual([true]);
  });

  it('matches the O(n²) definition on random points with many ties', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + rng.int(30);
      // Coordinates on a coarse grid force equal speeds, equal accuracies and exact duplicates.
      const pts = Array.from({ length: n }, () => P(rng.int(6) / 5, rng.int(6) * 100));
      expect(paretoMask(pts)).toEqual(bruteForce(pts));
    }
  });

  it('paretoFront returns the front in input order with the extra fields kept', () => {
    const front = paretoFront([
      { name: 'x', ...P(0.5, 10) },
      { name: 'y', ...P(0.9, 5) },
      { name: 'z', ...P(0.4, 9) },
    ]);
    expect(front.map((p) => p.name)).toEqual(['x', 'y']);
  });
});
