'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import type { Data, Layout } from 'plotly.js-dist-min';
import { frontStepLine } from '../lib/front.js';
import { arrowHeadPath, gainPairs, gainSegments, type GainPair } from '../lib/gains.js';
import { formatCount, formatPercent } from '../lib/format.js';
import { logTicks } from '../lib/ticks.js';
import { FAMILIES, familyStyle, type ChartPoint } from '../lib/points.js';
import Plot from './Plot.js';

export interface ChartViewProps {
  points: ChartPoint[];
  /** Draw baseline→USI arrows (when both variants are shown). */
  showGains: boolean;
  title: string;
}

function hoverData(p: ChartPoint): string[] {
  return [
    p.model,
    familyStyle(p.family).label,
    p.variant === 'usi' ? 'USI (KD)' : 'baseline (no KD)',
    formatPercent(p.top1),
    formatCount(p.imagesPerSec, 1),
    p.latencyMs === null ? '—' : `${p.latencyMs.toFixed(2)} ms`,
    p.params === null ? '—' : formatCount(p.params, 2),
    p.gmacs === null ? '—' : p.gmacs.toFixed(3),
    `${p.runId === null ? 'ad hoc' : `nightly #${p.runId}`} · ${p.date.slice(0, 16).replace('T', ' ')}`,
  ];
}

/** Name labels beside the points while they stay readable; above this the hover names them. */
const MAX_LABELLED = 40;

const HOVER =
  '<b>%{customdata[0]}</b>  <span style="color:#666">%{customdata[1]} · %{customdata[2]}</span><br>' +
  'top-1 <b>%{customdata[3]}</b><br>' +
  'throughput <b>%{customdata[4]} images/s</b><br>' +
  'latency (batch 1, p50) %{customdata[5]}<br>' +
  'params %{customdata[6]} · %{customdata[7]} GMACs<br>' +
  'run %{customdata[8]}<extra></extra>';

const GAINS_TRACE = 'USI gain (baseline → USI)';

/** The parts of Plotly's graph div the arrowheads need: not public API, but stable since plotly.js 1.x. */
interface PlotlyInternals {
  _fullLayout?: {
    xaxis: { c2p(v: number): number };
    yaxis: { c2p(v: number): number };
    _plots?: { xy?: { plot?: { node(): Element | null } } };
  };
  _fullData?: Array<{ name?: string; visible?: boolean | 'legendonly' }>;
}

/**
 * The heads of the gain arrows, as one path in the plot area under the traces, placed from the
 * axes as drawn now (Plotly calls this again after a zoom or resize). Hidden with the gain lines
 * when the legend hides them.
 */
function drawArrowHeads(gd: HTMLElement, pairs: readonly GainPair[]): void {
  const { _fullLayout: full, _fullData: traces = [] } = gd as unknown as PlotlyInternals;
  const layer = full?._plots?.xy?.plot?.node();
  if (!full || !layer) return;
  let path = layer.querySelector<SVGPathElement>(':scope > path.arrowheads');
  if (pairs.length === 0 || !traces.some((t) => t.name === GAINS_TRACE && t.visible === true)) {
    path?.remove();
    return;
  }
  if (!path) {
    path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('class', 'arrowheads');
    path.setAttribute('fill', '#666');
    path.style.pointerEvents = 'none';
    layer.insertBefore(path, layer.firstChild);
  }
  const { xaxis: x, yaxis: y } = full;
  const heads = arrowHeadPath(pairs.map((p) => ({ bx: x.c2p(p.baseline.imagesPerSec), by: y.c2p(p.baseline.top1), ux: x.c2p(p.usi.imagesPerSec), uy: y.c2p(p.usi.top1) })));
  path.setAttribute('d', heads.d);
  path.setAttribute('data-heads', String(heads.count));
}

export default function ChartView({ points, showGains, title }: ChartViewProps) {
  const router = useRouter();
  // The figure exists only in the browser: building it during server rendering would spend server
  // time and HTML bytes on traces Plotly rebuilds anyway.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);

  const { data, layout, attrs, pairs } = useMemo(() => {
    if (!mounted) return { data: [], layout: {}, attrs: undefined, pairs: [] };
    const traces: Data[] = [];
    const labelled = points.length <= MAX_LABELLED;
    const families = [...FAMILIES, ...new Set(points.map((p) => p.family).filter((f) => !(FAMILIES as readonly string[]).includes(f)))];
    for (const family of families) {
      const style = familyStyle(family);
      for (const variant of ['usi', 'baseline'] as const) {
        const pts = points.filter((p) => p.family === family && p.variant === variant);
        if (pts.length === 0) continue;
        traces.push({
          type: 'scatter',
          mode: labelled && variant === 'usi' ? 'markers+text' : 'markers',
          name: variant === 'usi' ? style.label : `${style.label} (baseline)`,
          text: labelled && variant === 'usi' ? pts.map((p) => p.model) : undefined,
          textposition: 'top center',
          textfont: { size: 10, color: '#4a5263' },
          // Unclipped so edge labels stay whole; without labels, clipping to the plot area is cheaper:
          // an unclipped trace shows or hides every point by hand on each draw and zoom.
          cliponaxis: !labelled,
          legendgroup: family,
          x: pts.map((p) => p.imagesPerSec),
          y: pts.map((p) => p.top1),
          customdata: pts.map(hoverData),
          hovertemplate: HOVER,
          marker: {
            color: style.color,
            symbol: variant === 'usi' ? style.symbol : `${style.symbol}-open`,
            size: 12,
            opacity: variant === 'usi' ? 0.92 : 0.8,
            line: { width: variant === 'usi' ? 1 : 2, color: variant === 'usi' ? '#ffffff' : style.color },
          },
        } as Data);
      }
    }
    const front = points.filter((p) => p.onFront).map((p) => ({ x: p.imagesPerSec, y: p.top1, model: p.model }));
    const step = frontStepLine(front);
    if (step.x.length > 0) {
      traces.unshift({
        type: 'scatter',
        mode: 'lines',
        name: 'Pareto front',
        x: step.x,
        y: step.y,
        line: { color: '#444', width: 1.5, dash: 'dash' },
        hoverinfo: 'skip',
      } as Data);
    }
    const pairs = showGains ? gainPairs(points) : [];
    if (pairs.length > 0) {
      const seg = gainSegments(pairs);
      traces.unshift({
        type: 'scatter',
        mode: 'lines',
        name: GAINS_TRACE,
        x: seg.x,
        y: seg.y,
        line: { color: '#888', width: 1.2 },
        hoverinfo: 'skip',
      } as Data);
    }
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
    return { data: traces, layout, attrs, pairs };
  }, [points, showGains, title, mounted]);

  if (!mounted) return <div className="chart" data-testid="chart" data-state="loading" data-renders="0" />;
  return (
    <Plot
      className="chart"
      testId="chart"
      data={data}
      layout={layout}
      dataAttributes={attrs}
      afterPlot={(gd) => drawArrowHeads(gd, pairs)}
      onPointClick={(cd) => {
        if (Array.isArray(cd) && typeof cd[0] === 'string') router.push(`/models/${encodeURIComponent(cd[0])}`);
      }}
    />
  );
}
