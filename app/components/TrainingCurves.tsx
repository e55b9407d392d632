'use client';
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js-dist-min';
import Plot from './Plot.js';

export interface CurveSeries {
  label: string;
  curve: Array<{ epoch: number; loss: number; lr: number; top1: number; top1Ema: number }>;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function small(title: string, yTitle: string, extra: Partial<Layout['yaxis']> = {}): Partial<Layout> {
  return {
    title: { text: title, font: { size: 13 }, x: 0.02, xanchor: 'left' },
    xaxis: { title: { text: 'epoch' }, gridcolor: '#e6e9ef', dtick: 1 },
    yaxis: { title: { text: yTitle }, gridcolor: '#e6e9ef', ...extra },
    margin: { l: 64, r: 12, t: 36, b: 44 },
    legend: { orientation: 'h', y: -0.3, font: { size: 11 } },
    hovermode: 'x unified',
    plot_bgcolor: '#fbfcfe',
  };
}

/** Loss, top-1 (raw and EMA weights) and learning rate per epoch, one colour per training run. */
export default function TrainingCurves({ series }: { series: CurveSeries[] }) {
  const figures = useMemo(() => {
    const line = (s: CurveSeries, i: number, y: number[], name: string, dash?: string): Data => ({
      type: 'scatter',
      mode: 'lines+markers',
      name,
      x: s.curve.map((c) => c.epoch),
      y,
      line: { color: COLORS[i % COLORS.length], width: 2, dash: dash as 'dash' | undefined },
      marker: { size: 5 },
    });
    return {
      loss: series.map((s, i) => line(s, i, s.curve.map((c) => c.loss), s.label)),
      top1: series.flatMap((s, i) => [
        line(s, i, s.curve.map((c) => c.top1), `${s.label} (raw)`),
        line(s, i, s.curve.map((c) => c.top1Ema), `${s.label} (EMA)`, 'dot'),
      ]),
      lr: series.map((s, i) => line(s, i, s.curve.map((c) => c.lr), s.label)),
    };
  }, [series]);
  const layouts = useMemo(
    () => ({
      loss: small('Training loss', 'loss'),
      top1: small('Test top-1', 'top-1 (%)', { tickformat: '.1%' }),
      lr: small('Learning rate', 'lr', { exponentformat: 'e' }),
    }),
    [],
  );
  return (
    <div className="grid2" data-testid="training-curves">
      <Plot className="small-chart" data={figures.loss} layout={layouts.loss} />
      <Plot className="small-chart" data={figures.top1} layout={layouts.top1} />
      <Plot className="small-chart" data={figures.lr} layout={layouts.lr} />
    </div>
  );
}
