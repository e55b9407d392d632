import { listNightlies, nightlyJobs } from '../../db/queries.js';
import EmptyState from '../components/EmptyState.js';
import { formatAllocation, formatExecutor } from '../lib/allocation.js';
import { siteDb } from '../lib/data.js';
import { formatSeconds } from '../lib/format.js';

export const dynamic = 'force-dynamic';

function wallSeconds(startedAt: string, endedAt: string | null, now: number): number | null {
  const start = Date.parse(startedAt);
  const end = endedAt ? Date.parse(endedAt) : now;
  return Number.isFinite(start) && Number.isFinite(end) ? (end - start) / 1000 : null;
}

export default function RunsPage() {
  const state = siteDb();
  if (!state.ok) return <EmptyState view={state.reason === 'uninitialised' ? { kind: 'empty', path: state.path } : { kind: 'unavailable', db: state }} />;
  const runs = listNightlies(state.db, 100);
  if (runs.length === 0) return <EmptyState view={{ kind: 'empty', path: state.path }} />;
  const now = Date.now();
  return (
    <>
      <h1>Nightly runs</h1>
      <p className="subtitle">The newest 100 runs, newest first. Open a run for its jobs.</p>
      <table className="data" data-testid="runs-table">
        <thead>
          <tr>
            <th className="text">Run</th>
            <th className="text">Started</th>
            <th className="text">Status</th>
            <th>Wall time</th>
            <th>Jobs</th>
            <th>Succeeded</th>
            <th>Failed</th>
            <th>Skipped</th>
            <th className="text">Preset</th>
            <th className="text">Commit</th>
            <th className="text">Host</th>
            <th className="text">Executor</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-run={r.id}>
              <td className="text">#{r.id}</td>
              <td className="text">{r.startedAt.slice(0, 16).replace('T', ' ')}</td>
              <td className={`text status-${r.status}`}>{r.status}</td>
              <td>
                {formatSeconds(wallSeconds(r.startedAt, r.endedAt, now))}
                {r.endedAt === null && r.status === 'running' ? ' so far' : ''}
              </td>
              <td>{r.jobs.total}</td>
              <td>{r.jobs.succeeded}</td>
              <td className={r.jobs.failed > 0 ? 'regression' : undefined}>{r.jobs.failed}</td>
              <td>{r.jobs.skipped}</td>
              <td className="text">{r.preset ?? 'custom'}</td>
              <td className="text">
                <code>{r.gitCommit.slice(0, 10)}</code>
              </td>
              <td className="text">{r.host}</td>
              <td className="text">{formatExecutor(r.slurm)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Jobs</h2>
      {runs.map((r) => (
        <details key={r.id} className="card" open={r.id === runs[0].id && r.jobs.failed > 0}>
          <summary>
            Run #{r.id} — {r.jobs.total} job(s), {r.jobs.failed} failed
          </summary>
          <JobList nightlyId={r.id} />
        </details>
      ))}
    </>
  );
}

function JobList({ nightlyId }: { nightlyId: number }) {
  const state = siteDb();
  if (!state.ok) return null;
  const list = nightlyJobs(state.db, nightlyId);
  if (list.length === 0) return <p className="subtitle">No jobs recorded.</p>;
  return (
    <table className="data">
      <thead>
        <tr>
          <th className="text">Kind</th>
          <th className="text">Job</th>
          <th className="text">Status</th>
          <th>Time</th>
          <th className="text">Where</th>
          <th className="text">Error</th>
        </tr>
      </thead>
      <tbody>
        {list.map((j) => (
          <tr key={j.id}>
            <td className="text">{j.kind}</td>
            <td className="text">{j.label}</td>
            <td className={`text status-${j.status}`}>{j.status}</td>
            <td>{j.startedAt ? formatSeconds(wallSeconds(j.startedAt, j.endedAt, Date.now())) : '—'}</td>
            <td className="text">{formatAllocation(j.allocation)}</td>
            <td className="text" title={j.error ?? undefined}>
              {j.error ? j.error.slice(0, 120) : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
