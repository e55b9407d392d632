'use client';
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js-dist-min';
import type { HistorySeries } from '../lib/history.js';
import Plot from './Plot.js';

const COLORS = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

/** Throughput per night, one line per protocol; flagged regressions drawn as red crosses. */
export default function HistoryChart({ series }: { series: HistorySeries[] }) {
  const data = useMemo<Data[]>(() => {
    const lines: Data[] = series.map((s, i) => {
      const ok = s.points.filter((p) => p.imagesPerSec !== null);
      return {
        type: 'scatter',
        mode: 'lines+markers',
        name: s.label,
        x: ok.map((p) => p.date),
        y: ok.map((p) => p.imagesPerSec),
        line: { color: COLORS[i % COLORS.length], width: 2 },
        hovertemplate: '%{y:,.1f} images/s<br>%{x}<extra>%{fullData.name}</extra>',
      } as Data;
    });
    const flagged = series.flatMap((s) => s.points.filter((p) => p.regression));
    if (flagged.length > 0) {
      lines.push({
        type: 'scatter',
        mode: 'markers',
        name: 'speed regression',
        x: flagged.map((p) => p.date),
        y: flagged.map((p) => p.imagesPerSec),
        marker: { symbol: 'x', size: 14, color: '#b3261e', line: { width: 1, color: '#b3261e' } },
        hovertemplate: '%{y:,.1f} images/s: regression<extra></extra>',
      } as Data);
    }
    return lines;
  }, [series]);
  const layout = useMemo<Partial<Layout>>(
    () => ({
      xaxis: { title: { text: 'night' }, type: 'date', gridcolor: '#e6e9ef' },
      yaxis: { title: { text: 'throughput (images/s)' }, gridcolor: '#e6e9ef', rangemode: 'tozero' },
      margin: { l: 70, r: 12, t: 16, b: 48 },
      legend: { orientation: 'h', y: -0.25, font: { size: 11 } },
      plot_bgcolor: '#fbfcfe',
      hovermode: 'closest',
    }),
    [],
  );
  return <Plot className="small-chart" testId="history-chart" data={data} layout={layout} />;
}
