/**
 * What the chart drew, read from the page: the points it plotted (its data-points attribute),
 * the front, every Plotly trace and the error bars Plotly rendered. Shared by the e2e tests and
 * check:site, so both read a render the same way.
 */
import type { Page } from 'playwright-core';

export interface PlottedPoint {
  model: string;
  variant: string;
  x: number;
  y: number;
}

/** Waits for a Plotly render newer than `after`, then reads what the chart plotted. */
export async function chartState(p: Page, after = 0) {
  await p.waitForFunction((n) => {
    const el = document.querySelector('[data-testid="chart"]');
    return el?.getAttribute('data-state') === 'ready' && Number(el.getAttribute('data-renders')) > n;
  }, after);
  return p.evaluate(() => {
    const el = document.querySelector('[data-testid="chart"]')!;
    type Trace = {
      name: string;
      mode: string;
      x: Array<number | null>;
      y: Array<number | null>;
      text?: string[];
      customdata?: string[][];
      opacity?: number;
      line?: { dash?: string };
      error_x?: { array: number[] };
      error_y?: { array: number[] };
    };
    const gd = el.querySelector('.js-plotly-plot') as unknown as { data: Trace[] };
    return {
      renders: Number(el.getAttribute('data-renders')),
      points: JSON.parse(el.getAttribute('data-points')!) as PlottedPoint[],
      front: JSON.parse(el.getAttribute('data-front')!) as Array<{ model: string; x: number; y: number }>,
      traces: gd.data.map((t) => ({ name: t.name, mode: t.mode, x: t.x, y: t.y, text: t.text, customdata: t.customdata, opacity: t.opacity, line: t.line, errorX: t.error_x?.array, errorY: t.error_y?.array })),
      // the bars Plotly drew: a path per point with an interval
      drawnBars: { top1: el.querySelectorAll('g.errorbar path.yerror').length, speed: el.querySelectorAll('g.errorbar path.xerror').length },
    };
  });
}
