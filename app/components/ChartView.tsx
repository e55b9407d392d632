'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import type { Data, Layout } from 'plotly.js-dist-min';
import { arrowHeadPath, gainPairs, type GainPair } from '../lib/gains.js';
import { logTicks } from '../lib/ticks.js';
import { FAMILIES, type ChartPoint } from '../lib/points.js';
import { ARROW_STYLES, arrowGroups, arrowTraces, frontTrace, markerTrace, type ArrowStyle } from '../lib/traces.js';
import Plot from './Plot.js';

export interface ChartViewProps {
  points: ChartPoint[];
  /** Draw baseline→USI arrows (when both variants are shown). */
  showGains: boolean;
  title: string;
}

/** Name labels beside the points while they stay readable; above this the hover names them. */
const MAX_LABELLED = 40;

/** The parts of Plotly's graph div the arrowheads need: not public API, but stable since plotly.js 1.x. */
interface PlotlyInternals {
  _fullLayout?: {
    xaxis: { c2p(v: number): number };
    yaxis: { c2p(v: number): number };
    _plots?: { xy?: { plot?: { node(): Element | null } } };
  };
  _fullData?: Array<{ name?: string; visible?: boolean | 'legendonly' }>;
}

/** One arrow style's pairs, whose heads are drawn together. */
interface HeadGroup {
  style: ArrowStyle;
  pairs: readonly GainPair[];
}

/**
 * The heads of one style's gain arrows, as one path in the plot area under the traces, placed from
 * the axes as drawn now (Plotly calls this again after a zoom or resize). Hidden with that style's
 * lines when the legend hides them, or when there are none.
 */
function drawArrowHeads(gd: HTMLElement, style: ArrowStyle, pairs: readonly GainPair[]): void {
  const { _fullLayout: full, _fullData: traces = [] } = gd as unknown as PlotlyInternals;
  const layer = full?._plots?.xy?.plot?.node();
  if (!full || !layer) return;
  const { name, headFill, headStroke } = ARROW_STYLES[style];
  let path = layer.querySelector<SVGPathElement>(`:scope > path.arrowheads[data-style="${style}"]`);
  if (pairs.length === 0 || !traces.some((t) => t.name === name && t.visible === true)) {
    path?.remove();
    return;
  }
  if (!path) {
    path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('class', 'arrowheads');
    path.setAttribute('data-style', style);
    path.setAttribute('fill', headFill);
    path.setAttribute('stroke', headStroke);
    path.style.pointerEvents = 'none';
    layer.insertBefore(path, layer.firstChild);
  }
  const { xaxis: x, yaxis: y } = full;
  const heads = arrowHeadPath(pairs.map((p) => ({ bx: x.c2p(p.baseline.imagesPerSec), by: y.c2p(p.baseline.top1), ux: x.c2p(p.usi.imagesPerSec), uy: y.c2p(p.usi.top1) })));
  path.setAttribute('d', heads.d);
  path.setAttribute('data-heads', String(heads.count));
}

/** Every style's heads: a style with no pairs now has its old path removed. */
function drawAllArrowHeads(gd: HTMLElement, groups: readonly HeadGroup[]): void {
  for (const style of Object.keys(ARROW_STYLES) as ArrowStyle[]) drawArrowHeads(gd, style, groups.find((g) => g.style === style)?.pairs ?? []);
}

export default function ChartView({ points, showGains, title }: ChartViewProps) {
  const router = useRouter();
  // The figure exists only in the browser: building it during server rendering would spend server
  // time and HTML bytes on traces Plotly rebuilds anyway.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);

  const { data, layout, attrs, heads } = useMemo(() => {
    if (!mounted) return { data: [], layout: {}, attrs: undefined, heads: [] };
    const traces: Data[] = [];
    const labelled = points.length <= MAX_LABELLED;
    const families = [...FAMILIES, ...new Set(points.map((p) => p.family).filter((f) => !(FAMILIES as readonly string[]).includes(f)))];
    for (const family of families) {
      for (const variant of ['usi', 'baseline'] as const) {
        const pts = points.filter((p) => p.family === family && p.variant === variant);
        if (pts.length > 0) traces.push(markerTrace(pts, family, variant, labelled));
      }
    }
    const front = points.filter((p) => p.onFront).map((p) => ({ x: p.imagesPerSec, y: p.top1, model: p.model }));
    const step = frontTrace(front);
    if (step) traces.unshift(step);
    const heads: HeadGroup[] = showGains ? arrowGroups(gainPairs(points)) : [];
    // under the markers and the front, the plain arrows above the n.s. ones
    for (const g of heads) traces.unshift(...arrowTraces(g.style, g.pairs));
    const xs = points.map((p) => p.imagesPerSec);
    // A third of a decade of room on each side keeps edge points and their labels inside the plot.
    const lo = Math.min(...xs) / 10 ** (1 / 3);
    const hi = Math.max(...xs) * 10 ** (1 / 3);
    const ticks = logTicks(lo, hi);
    const layout: Partial<Layout> = {
      title: { text: title, font: { size: 15 }, x: 0.01, xanchor: 'left' },
      xaxis: {
        type: 'log',
        range: [Math.log10(lo), Math.log10(hi)],
        tickvals: ticks.values,
        ticktext: ticks.labels,
        title: { text: 'Throughput (images/s, log scale) →' },
        gridcolor: '#e6e9ef',
        zeroline: false,
      },
      yaxis: {
        title: { text: 'Top-1 accuracy (%) →' },
        tickformat: '.1%',
        gridcolor: '#e6e9ef',
        zeroline: false,
      },
      legend: { orientation: 'h', y: -0.16, x: 0, font: { size: 12 } },
      margin: { l: 70, r: 20, t: 48, b: 96 },
      hovermode: 'closest',
      hoverlabel: { bgcolor: '#ffffff', bordercolor: '#999', font: { size: 13, color: '#1d2330' }, align: 'left' },
      plot_bgcolor: '#fbfcfe',
      paper_bgcolor: '#ffffff',
    };
    const attrs = {
      'data-point-count': String(points.length),
      'data-points': JSON.stringify(points.map((p) => ({ id: p.id, model: p.model, variant: p.variant, x: p.imagesPerSec, y: p.top1 }))),
      'data-front': JSON.stringify(front),
    } as const;
    return { data: traces, layout, attrs, heads };
  }, [points, showGains, title, mounted]);

  if (!mounted) return <div className="chart" data-testid="chart" data-state="loading" data-renders="0" />;
  return (
    <Plot
      className="chart"
      testId="chart"
      data={data}
      layout={layout}
      dataAttributes={attrs}
      afterPlot={(gd) => drawAllArrowHeads(gd, heads)}
      onPointClick={(cd) => {
        if (Array.isArray(cd) && typeof cd[0] === 'string') router.push(`/models/${encodeURIComponent(cd[0])}`);
      }}
    />
  );
}
