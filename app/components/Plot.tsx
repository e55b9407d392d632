'use client';
/**
 * A Plotly figure. The basic bundle (scatter, bar, pie) is a quarter of the full one: parsing the
 * full 4.6 MB bundle was most of the chart page's time to interactive.
 *
 * plotly.js touches `window` on import, so on the server the package is an empty module (see
 * next.config.js) and the server renders an empty box of the right size that the figure fills.
 * In the browser it is a static import: its chunk is one of the page's script tags, fetched and
 * compiled (off the main thread) alongside the HTML. Imported on demand it was fetched only after
 * the page's own code had run, which put about a quarter of a second on every first visit.
 */
import PlotlyBundle from 'plotly.js-basic-dist-min';
import { useEffect, useRef, useState } from 'react';
import type { Config, Data, Layout, PlotlyHTMLElement, PlotMouseEvent } from 'plotly.js-dist-min';

type PlotlyModule = typeof PlotlyBundle;
const Plotly: PlotlyModule | undefined = (PlotlyBundle as unknown as { default?: PlotlyModule } | undefined)?.default ?? PlotlyBundle;

export interface PlotProps {
  data: Data[];
  layout: Partial<Layout>;
  className?: string;
  /** Extra attributes on the container, e.g. the plotted values for tests and scripts. */
  dataAttributes?: Record<`data-${string}`, string>;
  onPointClick?: (customdata: unknown) => void;
  testId?: string;
}

const CONFIG: Partial<Config> = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

export default function Plot({ data, layout, className, dataAttributes, onPointClick, testId }: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [renders, setRenders] = useState(0);
  const clickRef = useRef(onPointClick);
  clickRef.current = onPointClick;

  useEffect(() => {
    let cancelled = false;
    const el = ref.current;
    if (!el) return;
    Promise.resolve()
      .then(async () => {
        if (cancelled) return;
        if (!Plotly?.react) throw new Error('plotly.js is not loaded');
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
      if (el) Plotly?.purge?.(el);
    };
  }, []);

  return (
    <div className={className} data-testid={testId} data-state={state} data-renders={String(renders)} {...dataAttributes}>
      {state === 'error' && <p className="notice">The chart library failed to load; the table page shows the same numbers.</p>}
      <div ref={ref} style={{ width: '100%', height: '100%' }} />
    </div>
  );
}
