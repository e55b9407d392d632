import Link from 'next/link';
import ChartView from './components/ChartView.js';
import EmptyState from './components/EmptyState.js';
import FilterBar from './components/FilterBar.js';
import Notices from './components/Notices.js';
import { selectionToQuery } from './lib/filters.js';
import { rowsToPoints } from './lib/points.js';
import { protocolTitle } from './lib/protocol.js';
import { loadView } from './lib/view.js';

// Every request reads the database as it is now; nothing is prerendered at build time.
export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ChartPage({ searchParams }: Props) {
  const view = loadView(await searchParams);
  if (view.kind !== 'ok') return <EmptyState view={view} />;
  const { points, skipped } = rowsToPoints(view.rows);
  const title = protocolTitle(view.selection);
  const onFront = points.filter((p) => p.onFront).length;
  return (
    <>
      <h1>Speed vs top-1</h1>
      <p className="subtitle">
        Newest result per backbone and protocol; dashed line: the Pareto front ({onFront} of {points.length} results). Click a point for its model page.{' '}
        <Link href={`/table?${selectionToQuery(view.selection, view.variant)}`}>Same rows as a table →</Link>
      </p>
      <FilterBar options={view.options} combos={view.combos} selection={view.selection} variant={view.variant} />
      <Notices notices={view.notices} />
      {points.length === 0 ? (
        <section className="card empty" data-testid="no-points">
          <h2>No results for this selection</h2>
          <p className="subtitle">
            Nothing was measured under {title}
            {view.variant !== 'usi' ? ` for the ${view.variant === 'both' ? 'USI or baseline' : 'baseline'} runs` : ''}. Pick another value above.
          </p>
        </section>
      ) : (
        <section className="card">
          <ChartView points={points} showGains={view.variant === 'both'} title={title} />
          {skipped > 0 && <p className="subtitle">{skipped} result(s) without a top-1 or a throughput are listed in the table, not plotted.</p>}
        </section>
      )}
    </>
  );
}
