import Link from 'next/link';
import { notFound } from 'next/navigation';
import { latestTrainingRuns, modelHistory, modelRow } from '../../../db/queries.js';
import EmptyState from '../../components/EmptyState.js';
import HistoryChart from '../../components/HistoryChart.js';
import TrainingCurves from '../../components/TrainingCurves.js';
import { siteDb } from '../../lib/data.js';
import { formatCount, formatPercent, formatSeconds } from '../../lib/format.js';
import { benchmarkHistory, regressionThreshold } from '../../lib/history.js';

import { familyStyle } from '../../lib/points.js';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ name: string }> };

/** Next hands over the path segment still percent-encoded in some cases; decode once, tolerating stray '%'. */
function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export default async function ModelPage({ params }: Props) {
  const name = decodeName((await params).name);
  const state = siteDb();
  if (!state.ok) return <EmptyState view={state.reason === 'uninitialised' ? { kind: 'empty', path: state.path } : { kind: 'unavailable', db: state }} />;
  const model = modelRow(state.db, name);
  if (!model) notFound();

  const runs = latestTrainingRuns(state.db, name);
  const threshold = regressionThreshold();
  const { benchmarks } = modelHistory(state.db, name);
  const series = benchmarkHistory(benchmarks, threshold);
  const regressions = series.reduce((n, s) => n + s.regressions, 0);
  // The protocol shown is the newest USI benchmark's (the recipe's number), else the newest of any run.
  const byDate = [...benchmarks].sort((a, b) => b.date.localeCompare(a.date) || b.benchmarkId - a.benchmarkId);
  const newest = byDate.find((r) => r.mode === 'usi') ?? byDate[0];

  return (
    <>
      <h1 data-testid="model-name">{model.name}</h1>
      <p className="subtitle">
        {familyStyle(model.family).label}
        {model.params !== null && ` · ${formatCount(model.params, 2)} params`}
        {model.gmacs !== null && ` · ${model.gmacs.toFixed(3)} GMACs${model.gmacsResolution ? ` at ${model.gmacsResolution} px` : ''}`}
        {model.description && ` · ${model.description}`} · <Link href="/">back to the chart</Link>
      </p>

      <h2>Training</h2>
      {runs.length === 0 ? (
        <p className="subtitle">No training runs stored for this model.</p>
      ) : (
        <>
          <table className="data">
            <thead>
              <tr>
                <th className="text">Run</th>
                <th className="text">Dataset</th>
                <th className="text">Status</th>
                <th>Top-1</th>
                <th>Top-5</th>
                <th className="text">Kept</th>
                <th>Epochs</th>
                <th>Batch</th>
                <th>Resolution</th>
                <th className="text">Teacher</th>
                <th>Wall time</th>
                <th className="text">Recipe</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td className="text">{r.mode}</td>
                  <td className="text">{r.dataset}</td>
                  <td className={`text status-${r.status}`} title={r.error ?? undefined}>
                    {r.status}
                  </td>
                  <td>{r.top1 === null ? '—' : formatPercent(r.top1)}</td>
                  <td>{r.top5 === null ? '—' : formatPercent(r.top5)}</td>
                  <td className="text">{r.best ?? '—'}</td>
                  <td>{r.epochs}</td>
                  <td>{r.batchSize}</td>
                  <td>{r.resolution}</td>
                  <td className="text">{r.teacherModel ?? '—'}</td>
                  <td>{formatSeconds(r.wallSeconds)}</td>
                  <td className="text">
                    <code>{r.recipeHash.slice(0, 12)}</code> seed {r.seed}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="card">
            <TrainingCurves series={runs.filter((r) => r.curve.length > 0).map((r) => ({ label: `${r.mode} · ${r.dataset}`, curve: r.curve }))} />
          </div>
        </>
      )}

      <h2>Benchmark history</h2>
      <p className="subtitle" data-testid="regression-summary">
        {regressions === 0
          ? `No lasting slow-down of ${Math.round(threshold * 100)}% or more (E-divisive change points, permutation test at 5%).`
          : `${regressions} speed regression(s): the speed lastingly fell by ${Math.round(threshold * 100)}% or more from that night on (E-divisive change points, permutation test at 5%; set USIBENCH_REGRESSION_THRESHOLD to change the minimum effect).`}
      </p>
      {series.length === 0 ? (
        <p className="subtitle">No benchmarks stored for this model.</p>
      ) : (
        <>
          <div className="card">
            <HistoryChart series={series} />
          </div>
          <table className="data" data-testid="history-table">
            <thead>
              <tr>
                <th className="text">Protocol</th>
                <th className="text">Measured</th>
                <th className="text">Nightly</th>
                <th>Images/s</th>
                <th>Change</th>
                <th className="text">Status</th>
              </tr>
            </thead>
            <tbody>
              {series.flatMap((s) =>
                s.points.map((p) => (
                  <tr key={p.benchmarkId} data-regression={p.regression ? 'true' : 'false'}>
                    <td className="text">{s.label}</td>
                    <td className="text">{p.date.slice(0, 16).replace('T', ' ')}</td>
                    <td className="text">{p.nightlyId === null ? '—' : `#${p.nightlyId}`}</td>
                    <td>{p.imagesPerSec === null ? '—' : formatCount(p.imagesPerSec, 1)}</td>
                    <td className={p.regression ? 'regression' : undefined}>
                      {p.change === null ? '—' : `${p.change >= 0 ? '+' : ''}${(p.change * 100).toFixed(1)}%`}
                      {p.regression && ' ⚠ regression'}
                    </td>
                    <td className={`text status-${p.status}`} title={p.error ?? undefined}>
                      {p.status}
                      {p.error && `: ${p.error.slice(0, 80)}`}
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      )}

      {newest && (
        <>
          <h2>Protocol of the newest {newest.mode === 'usi' ? 'USI ' : ''}benchmark</h2>
          <div className="card">
            <dl className="protocol" data-testid="protocol">
              {Object.entries(newest.protocol).map(([k, v]) => (
                <ProtocolEntry key={k} name={k} value={v} />
              ))}
              <dt>recipe</dt>
              <dd>{newest.recipeHash ?? '—'}</dd>
              <dt>teacher</dt>
              <dd>{newest.teacherModel ?? '—'}</dd>
              <dt>seeds / epochs</dt>
              <dd>
                {newest.seeds.length ? newest.seeds.join(', ') : '—'} / {newest.epochs ?? '—'}
              </dd>
            </dl>
          </div>
        </>
      )}
    </>
  );
}

function ProtocolEntry({ name, value }: { name: string; value: unknown }) {
  const text =
    value === null || value === undefined
      ? '—'
      : typeof value === 'object'
        ? Object.entries(value as Record<string, unknown>)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join(', ')
        : String(value);
  return (
    <>
      <dt>{name}</dt>
      <dd>{text}</dd>
    </>
  );
}
