import { describe, expect, it } from 'vitest';
import { frontStepLine } from './front.js';

describe('frontStepLine', () => {
  it('drops vertically at each point, then runs to the next faster point', () => {
    // Given out of order, as a query might return them.
    const line = frontStepLine([
      { x: 1000, y: 0.7 },
      { x: 10, y: 0.9 },
      { x: 100, y: 0.8 },
    ]);
    expect(line.x).toEqual([10, 100, 100, 1000, 1000]);
    expect(line.y).toEqual([0.9, 0.9, 0.8, 0.8, 0.7]);
  });

  it('handles one point and no points', () => {
    expect(frontStepLine([{ x: 5, y: 0.5 }])).toEqual({ x: [5], y: [0.5] });
    expect(frontStepLine([])).toEqual({ x: [], y: [] });
  });

  it('never draws a corner above the staircase (the line is monotone)', () => {
    const line = frontStepLine([
      { x: 3, y: 0.6 },
      { x: 1, y: 0.95 },
      { x: 2, y: 0.7 },
    ]);
    for (let i = 1; i < line.x.length; i++) {
      expect(line.x[i]).toBeGreaterThanOrEqual(line.x[i - 1]);
      expect(line.y[i]).toBeLessThanOrEqual(line.y[i - 1]);
    }
  });
});
