import ChartPanel from './components/ChartPanel.js';
import EmptyState from './components/EmptyState.js';
import { protocolTitle } from './lib/protocol.js';
import { loadChartView } from './lib/view.js';

// Every request reads the database as it is now; nothing is prerendered at build time.
export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ChartPage({ searchParams }: Props) {
  const view = loadChartView(await searchParams);
  if (view.kind !== 'ok') return <EmptyState view={view} />;
  return (
    <ChartPanel
      points={view.points}
      skipped={view.skipped}
      options={view.options}
      combos={view.combos}
      selection={view.selection}
      notices={view.notices}
      title={protocolTitle(view.selection)}
    />
  );
}
