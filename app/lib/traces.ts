/**
 * The chart's Plotly traces, built from its points: markers per family and variant with their
 * error bars and hover, the Pareto front and the gain arrows. Pure, so what the chart draws is
 * unit-tested; ChartView only lays them out and draws the arrowheads.
 */
import type { ScatterData } from 'plotly.js-dist-min';
import { frontStepLine, type XY } from './front.js';
import { formatCount, formatSpeed, formatTop1 } from './format.js';
import { gainMidpoints, gainSegments, gainSignificance, gainText, type GainPair } from './gains.js';
import { familyStyle, type ChartPoint, type Variant } from './points.js';

export type Trace = Partial<ScatterData>;
type ErrorBar = NonNullable<ScatterData['error_y']>;
type MarkerSymbolName = NonNullable<NonNullable<ScatterData['marker']>['symbol']>;

/** The front is taken over each point's mean top-1, not over any one seed's: the legend says so. */
export const FRONT_TRACE = 'Pareto front (of the means)';

/** How an arrow is drawn: a gain whose interval contains 0 ('ns') apart from the rest. */
export type ArrowStyle = 'plain' | 'ns';

/**
 * The n.s. arrows are dotted and paler, with open heads: a baseline placed at its USI twin's speed
 * makes an arrow vertical, on top of the USI point's error bar, where the head is what shows.
 */
export const ARROW_STYLES: Record<ArrowStyle, { name: string; color: string; dash: 'solid' | 'dot'; opacity: number; headFill: string; headStroke: string }> = {
  plain: { name: 'USI gain (baseline → USI)', color: '#888', dash: 'solid', opacity: 1, headFill: '#666', headStroke: 'none' },
  ns: { name: 'USI gain, n.s. (95% interval contains 0)', color: '#999', dash: 'dot', opacity: 0.75, headFill: '#ffffff', headStroke: '#777' },
};

/**
 * Half-widths for a `data` error bar, in the axis's data unit. NaN where there is no interval:
 * Plotly draws no bar there, where a 0 would draw a flat one.
 */
export function halfWidths(values: ReadonlyArray<number | null>): number[] {
  return values.map((v) => (v === null ? NaN : v));
}

/** A trace's error bar, or none when no point has an interval (Plotly then lays out no bar at all); `caps`: the end ticks' half-width in px. */
function errorBar(values: ReadonlyArray<number | null>, color: string, caps: number): ErrorBar | undefined {
  if (values.every((v) => v === null)) return undefined;
  return { type: 'data', array: halfWidths(values), visible: true, color, thickness: 1.2, width: caps };
}

/**
 * The top-1 error bar of points plotted as fractions: the y axis holds fractions and only its
 * tick format shows them as percent, so the half-widths stay fractions too.
 */
export function top1ErrorBar(points: readonly ChartPoint[], color: string): ErrorBar | undefined {
  return errorBar(points.map((p) => p.top1Ci95), color, 3);
}

/**
 * The speed spread, in images/s as the x axis holds them. Without caps: a spread of a few pixels
 * would otherwise draw a tick mark inside every open baseline marker.
 */
export function speedErrorBar(points: readonly ChartPoint[], color: string): ErrorBar | undefined {
  return errorBar(points.map((p) => p.imagesPerSecCi95), color, 0);
}

/** The hover's fields of a point, in HOVER's order; an optional line brings its own break. */
export function hoverData(p: ChartPoint): string[] {
  const gain = p.variant === 'usi' ? gainText(p) : null;
  return [
    p.model,
    familyStyle(p.family).label,
    p.variant === 'usi' ? 'USI (KD)' : 'baseline (no KD)',
    formatTop1(p.top1, p.top1Ci95, p.nSeeds),
    formatSpeed(p.imagesPerSec, p.imagesPerSecCi95),
    p.speedSource === 'twin' ? "<br>(its USI twin's measured speed: same graph, same weight shapes)" : '',
    gain === null ? '' : `<br>${gain}`,
    p.latencyMs === null ? '—' : `${p.latencyMs.toFixed(2)} ms`,
    p.params === null ? '—' : formatCount(p.params, 2),
    p.gmacs === null ? '—' : p.gmacs.toFixed(3),
    `${p.runId === null ? 'ad hoc' : `nightly #${p.runId}`} · ${p.date.slice(0, 16).replace('T', ' ')}`,
  ];
}

const HOVER =
  '<b>%{customdata[0]}</b>  <span style="color:#666">%{customdata[1]} · %{customdata[2]}</span><br>' +
  'top-1 <b>%{customdata[3]}</b><br>' +
  'img/s <b>%{customdata[4]}</b>%{customdata[5]}%{customdata[6]}<br>' +
  'latency (batch 1, p50) %{customdata[7]}<br>' +
  'params %{customdata[8]} · %{customdata[9]} GMACs<br>' +
  'run %{customdata[10]}<extra></extra>';

/** One family's points of one variant as a marker trace, with their error bars; `labelled` names the USI points beside them. */
export function markerTrace(pts: readonly ChartPoint[], family: string, variant: Variant, labelled: boolean): Trace {
  const style = familyStyle(family);
  const label = labelled && variant === 'usi';
  return {
    type: 'scatter',
    mode: label ? 'markers+text' : 'markers',
    name: variant === 'usi' ? style.label : `${style.label} (baseline)`,
    text: label ? pts.map((p) => p.model) : undefined,
    textposition: 'top center',
    textfont: { size: 10, color: '#4a5263' },
    // Unclipped so edge labels stay whole; without labels, clipping to the plot area is cheaper:
    // an unclipped trace shows or hides every point by hand on each draw and zoom.
    cliponaxis: !labelled,
    legendgroup: family,
    x: pts.map((p) => p.imagesPerSec),
    y: pts.map((p) => p.top1),
    error_y: top1ErrorBar(pts, style.color),
    error_x: speedErrorBar(pts, style.color),
    customdata: pts.map(hoverData),
    hovertemplate: HOVER,
    marker: {
      color: style.color,
      // FAMILY_STYLE names Plotly symbols; its record type keeps them plain strings
      symbol: (variant === 'usi' ? style.symbol : `${style.symbol}-open`) as MarkerSymbolName,
      size: 12,
      opacity: variant === 'usi' ? 0.92 : 0.8,
      line: { width: variant === 'usi' ? 1 : 2, color: variant === 'usi' ? '#ffffff' : style.color },
    },
  };
}

/** The front's staircase, or null when no point is on it. */
export function frontTrace(front: readonly XY[]): Trace | null {
  const step = frontStepLine(front);
  if (step.x.length === 0) return null;
  return { type: 'scatter', mode: 'lines', name: FRONT_TRACE, x: step.x, y: step.y, line: { color: '#444', width: 1.5, dash: 'dash' }, hoverinfo: 'skip' };
}

/** Which style draws a pair's arrow: only a gain the seeds show to be within noise is set apart. */
export function arrowStyle(pair: GainPair): ArrowStyle {
  return gainSignificance(pair.usi) === 'ns' ? 'ns' : 'plain';
}

/** The pairs per arrow style, styles without a pair left out. */
export function arrowGroups(pairs: readonly GainPair[]): Array<{ style: ArrowStyle; pairs: GainPair[] }> {
  return (['plain', 'ns'] as const).map((style) => ({ style, pairs: pairs.filter((p) => arrowStyle(p) === style) })).filter((g) => g.pairs.length > 0);
}

/**
 * One style's arrows: the lines, and their hover at each arrow's middle as an undrawn trace (see
 * gainMidpoints), both in the lines' legend entry so the legend hides them together.
 */
export function arrowTraces(style: ArrowStyle, pairs: readonly GainPair[]): [lines: Trace, hover: Trace] {
  const { name, color, dash, opacity } = ARROW_STYLES[style];
  const seg = gainSegments(pairs);
  const mid = gainMidpoints(pairs);
  return [
    { type: 'scatter', mode: 'lines', name, legendgroup: name, x: seg.x, y: seg.y, opacity, line: { color, width: 1.2, dash }, hoverinfo: 'skip' },
    // a lines trace draws no element per point, unlike markers; width 0 draws nothing at all
    { type: 'scatter', mode: 'lines', name: `${name}: hover`, legendgroup: name, showlegend: false, x: mid.x, y: mid.y, text: mid.text, hovertemplate: '%{text}<extra></extra>', line: { width: 0 } },
  ];
}
