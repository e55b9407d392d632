import { fillCommand } from '../lib/data.js';
import type { ViewState } from '../lib/view.js';

/** Shown instead of a chart or table when there is nothing to read: says why and which command fixes it. */
export default function EmptyState({ view }: { view: Exclude<ViewState, { kind: 'ok' }> }) {
  const path = view.kind === 'empty' ? view.path : view.db.path;
  const fixable = view.kind === 'empty' || view.db.reason === 'missing';
  return (
    <section className="card empty" data-testid="empty-state">
      <h1>{view.kind === 'empty' ? 'No benchmark results yet' : view.db.reason === 'missing' ? 'No database yet' : 'The database cannot be read'}</h1>
      <p className="subtitle">{view.kind === 'empty' ? `The database ${path} holds no benchmark results.` : view.db.message}</p>
      {fixable && (
        <>
          <p>Train and benchmark the quick roster to fill it (a few minutes on a CPU):</p>
          <code data-testid="fill-command">{fillCommand(path)}</code>
          <p className="subtitle" style={{ marginTop: 12 }}>
            Then reload this page. The site reads the file named by <code className="inline">USIBENCH_DB</code> (default ./usibench.sqlite).
          </p>
        </>
      )}
    </section>
  );
}
