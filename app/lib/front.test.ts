import { describe, expect, it } from 'vitest';
import { frontStepLine, paretoFront } from './front.js';

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

describe('paretoFront', () => {
  it('keeps exactly the points nothing beats on both axes', () => {
    const pts = [
      { id: 'a', x: 10, y: 0.9 },
      { id: 'b', x: 100, y: 0.8 },
      { id: 'c', x: 50, y: 0.75 }, // beaten by b (faster and better)
      { id: 'd', x: 1000, y: 0.7 },
      { id: 'e', x: 5, y: 0.85 }, // beaten by a
    ];
    expect(paretoFront(pts).map((p) => p.id)).toEqual(['a', 'b', 'd']);
  });

  it('drops a point tied on speed but less accurate', () => {
    const pts = [
      { id: 'a', x: 10, y: 0.9 },
      { id: 'b', x: 10, y: 0.8 },
    ];
    expect(paretoFront(pts).map((p) => p.id)).toEqual(['a']);
  });
});
