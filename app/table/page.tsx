import Link from 'next/link';
import EmptyState from '../components/EmptyState.js';
import FilterBar from '../components/FilterBar.js';
import Notices from '../components/Notices.js';
import { EXPORT_FORMATS } from '../../db/export/index.js';
import { selectionToQuery } from '../lib/filters.js';
import { formatCount, formatPercent } from '../lib/format.js';
import { familyStyle } from '../lib/points.js';
import { protocolTitle } from '../lib/protocol.js';
import { parseSort, sortRows, type SortKey } from '../lib/sort.js';
import { loadView } from '../lib/view.js';

export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const FORMAT_LABEL: Record<(typeof EXPORT_FORMATS)[number], string> = { csv: 'CSV', md: 'Markdown', latex: 'LaTeX', json: 'JSON' };

const COLUMNS: Array<{ key: SortKey; label: string; text?: boolean }> = [
  { key: 'model', label: 'Model', text: true },
  { key: 'family', label: 'Family', text: true },
  { key: 'mode', label: 'Training', text: true },
  { key: 'top1', label: 'Top-1' },
  { key: 'usiGain', label: 'USI gain' },
  { key: 'imagesPerSec', label: 'Images/s' },
  { key: 'latencyP50', label: 'Latency p50' },
  { key: 'params', label: 'Params' },
  { key: 'gmacs', label: 'GMACs' },
  { key: 'date', label: 'Measured', text: true },
];

export default async function TablePage({ searchParams }: Props) {
  const params = await searchParams;
  const view = loadView(params);
  if (view.kind !== 'ok') return <EmptyState view={view} />;
  const { spec, notices } = parseSort(params.sort, params.dir);
  const rows = sortRows(view.rows, spec);
  const query = (extra: Record<string, string>) => selectionToQuery(view.selection, view.variant, extra);
  const sortQuery = { sort: spec.key, dir: spec.dir };
  return (
    <>
      <h1>Results table</h1>
      <p className="subtitle">
        {protocolTitle(view.selection)} — {rows.length} result(s); <span className="star">★</span> marks the Pareto front.{' '}
        <Link href={`/?${query({})}`}>Back to the chart</Link>
      </p>
      <FilterBar options={view.options} combos={view.combos} selection={view.selection} variant={view.variant} keep={sortQuery} />
      <Notices notices={[...view.notices, ...notices]} />
      <div className="downloads" data-testid="downloads">
        Download these rows:
        {EXPORT_FORMATS.map((f) => (
          <a key={f} href={`/export?${query({ ...sortQuery, format: f })}`} download data-format={f}>
            {FORMAT_LABEL[f]}
          </a>
        ))}
      </div>
      {rows.length === 0 ? (
        <section className="card empty" data-testid="no-points">
          <h2>No results for this selection</h2>
          <p className="subtitle">Pick another value above.</p>
        </section>
      ) : (
        <table className="data" data-testid="results-table">
          <thead>
            <tr>
              <th className="text" aria-label="On the Pareto front">
                ★
              </th>
              {COLUMNS.map((c) => {
                const active = spec.key === c.key;
                const nextDir = active ? (spec.dir === 'asc' ? 'desc' : 'asc') : c.text ? 'asc' : 'desc';
                return (
                  <th key={c.key} className={c.text ? 'text' : undefined} aria-sort={active ? (spec.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                    <Link href={`/table?${query({ sort: c.key, dir: nextDir })}`} scroll={false}>
                      {c.label}
                      {active ? (spec.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                    </Link>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.benchmarkId} className={r.onFrontier ? 'front' : undefined} data-model={r.model} data-front={r.onFrontier ? 'true' : 'false'}>
                <td className="text">{r.onFrontier ? <span className="star" title="On the Pareto front">★</span> : ''}</td>
                <td className="text">
                  <Link href={`/models/${encodeURIComponent(r.model)}`}>{r.model}</Link>
                  {r.noisy && <span title="Timing was noisy (high relative margin of error)"> ~</span>}
                </td>
                <td className="text">{familyStyle(r.family).label}</td>
                <td className="text">{r.mode ?? '—'}</td>
                <td>{r.top1 === null ? '—' : formatPercent(r.top1)}</td>
                <td>{r.usiGain === null ? '—' : `${r.usiGain >= 0 ? '+' : ''}${(r.usiGain * 100).toFixed(2)} pt`}</td>
                <td>{r.imagesPerSec === null ? '—' : formatCount(r.imagesPerSec, 1)}</td>
                <td>{r.latencyP50 === null ? '—' : `${r.latencyP50.toFixed(2)} ms`}</td>
                <td>{r.params === null ? '—' : formatCount(r.params, 2)}</td>
                <td>{r.gmacs === null ? '—' : r.gmacs.toFixed(3)}</td>
                <td className="text">{r.date.slice(0, 16).replace('T', ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
