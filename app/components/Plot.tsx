'use client';
/**
 * A Plotly figure. plotly.js touches `window` on import, so it is loaded only in the browser, once;
 * the server renders an empty box of the right size and the figure fills it. The basic bundle
 * (scatter, bar, pie) is a quarter of the full one: parsing the full bundle was most of the chart
 * page's time to interactive. Imported on demand, not statically: a static import (its chunk
 * among the page's scripts) made hydration wait for it and measured slower on a busy machine.
 */
import { useEffect, useRef, useState } from 'react';
import type { Config, Data, Layout, PlotlyHTMLElement, PlotMouseEvent } from 'plotly.js-dist-min';

type PlotlyModule = typeof import('plotly.js-basic-dist-min').default;
let plotlyPromise: Promise<PlotlyModule> | null = null;
function loadPlotly(): Promise<PlotlyModule> {
  plotlyPromise ??= import('plotly.js-basic-dist-min').then((m) => ((m as unknown as { default?: PlotlyModule }).default ?? (m as unknown as PlotlyModule)));
  return plotlyPromise;
}
// Start fetching as soon as this module runs in the browser, not after hydration and effects.
if (typeof window !== 'undefined') void loadPlotly();

export interface PlotProps {
  data: Data[];
  layout: Partial<Layout>;
  className?: string;
  /** Extra attributes on the container, e.g. the plotted values for tests and scripts. */
  dataAttributes?: Record<`data-${string}`, string>;
  onPointClick?: (customdata: unknown) => void;
  /**
   * Draws what the figure's traces cannot, into Plotly's SVG: called after every draw and after
   * every zoom, resize or legend toggle, which move or hide what it drew.
   */
  afterPlot?: (gd: PlotlyHTMLElement) => void;
  testId?: string;
}

const CONFIG: Partial<Config> = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

export default function Plot({ data, layout, className, dataAttributes, onPointClick, afterPlot, testId }: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [renders, setRenders] = useState(0);
  const clickRef = useRef(onPointClick);
  clickRef.current = onPointClick;
  const afterPlotRef = useRef(afterPlot);
  afterPlotRef.current = afterPlot;

  useEffect(() => {
    let cancelled = false;
    const el = ref.current;
    if (!el) return;
    loadPlotly()
      .then(async (Plotly) => {
        if (cancelled) return;
        const start = performance.now();
        const gd = (await Plotly.react(el, data, layout, CONFIG)) as PlotlyHTMLElement;
        // How long Plotly took to draw, for bench:site's breakdown (a user-timing entry, no cost).
        performance.measure('plotly.react', { start, end: performance.now() });
        if (cancelled) return;
        gd.removeAllListeners?.('plotly_click');
        gd.on('plotly_click', (ev: PlotMouseEvent) => {
          const cd = ev.points[0]?.customdata;
          if (cd !== undefined) clickRef.current?.(cd);
        });
        afterPlotRef.current?.(gd);
        const redrawn = () => afterPlotRef.current?.(gd);
        gd.removeAllListeners?.('plotly_relayout');
        gd.removeAllListeners?.('plotly_restyle');
        gd.on('plotly_relayout', redrawn);
        gd.on('plotly_restyle', redrawn);
        setState('ready');
        setRenders((n) => n + 1);
      })
      .catch(() => {
        if (!cancelled) setState('error');
      });
    return () => {
      cancelled = true;
    };
  }, [data, layout]);

  useEffect(() => {
    const el = ref.current;
    return () => {
      if (el) void loadPlotly().then((Plotly) => Plotly.purge(el));
    };
  }, []);

  return (
    <div className={className} data-testid={testId} data-state={state} data-renders={String(renders)} {...dataAttributes}>
      {state === 'error' && <p className="notice">The chart library failed to load; the table page shows the same numbers.</p>}
      <div ref={ref} style={{ width: '100%', height: '100%' }} />
    </div>
  );
}
