/**
 * Draws the speed/top-1 Pareto front as a staircase. Both axes are "higher is better", so the
 * region the front dominates is the union of rectangles [0, speed] × [0, top-1]; its upper-right
 * edge drops vertically at each front point and runs horizontally to the next, faster one.
 */
export interface XY {
  x: number;
  y: number;
}

export function frontStepLine(front: readonly XY[]): { x: number[]; y: number[] } {
  const pts = [...front].sort((a, b) => a.x - b.x || b.y - a.y);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i];
    if (i > 0) {
      // The corner: at the previous point's accuracy, reaching this point's speed.
      x.push(p.x);
      y.push(pts[i - 1].y);
    }
    x.push(p.x);
    y.push(p.y);
  }
  return { x, y };
}

