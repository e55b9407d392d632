/**
 * The import step of a Slurm nightly: reads the result files of one submission into the database,
 * one transaction per result, idempotently (a result already stored is not stored again). The
 * submission becomes one nightly run on the site, its jobs with their status; a job that ended on
 * Slurm without a result (cancelled, out of time, a lost node) is failed with the reason.
 * Run by the final import job, by `usibench nightly --import`, and by `--wait` as results arrive.
 */
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { currentEnvironment } from '../../common/environment.js';
import { SlurmNightlySchema, type SlurmNightly } from '../../common/allocation.js';
import { errorMessage } from '../../common/errors.js';
import type { Db } from '../../db/index.js';
import { environmentId } from '../../db/record.js';
import { jobs as jobsTable, nightlyRuns } from '../../db/schema.js';
import type { PlannedJob } from '../plan.js';
import { alreadyDone, storeOutput } from '../store.js';
import { jobLogFile } from '../work-dir.js';
import { isFinished, jobResult, slurmDirOf, type PlanFile, type Submission } from './submission.js';

export interface ImportSummary {
  nightlyId: number;
  planId: string;
  submission: number;
  /** Results stored by this import. */
  imported: number;
  /** Results of this submission an earlier import stored. */
  alreadyImported: number;
  /** Planned jobs not submitted: they had a result before. */
  skipped: number;
  failed: number;
  /** Submitted jobs still queued or running. */
  pending: number;
  /** Every submitted job has ended; the nightly run's status is final. */
  settled: boolean;
  status: 'running' | 'succeeded' | 'failed';
}

export interface ImportRequest {
  plan: PlanFile;
  jobs: PlannedJob[];
  workDir: string;
  submission: Submission;
  /** Whether a Slurm id (`12`, `13_4`) is still queued or running; a job without a result that is not has ended without one. */
  stillQueued: (slurmId: string) => boolean;
}

function slurmStamp(s: Submission): SlurmNightly {
  return SlurmNightlySchema.parse({ planId: s.planId, submission: s.number, jobIds: s.batches.map((b) => b.id) });
}

/** The nightly run of this submission, created with its job rows on first import. */
function nightlyFor(db: Db, req: ImportRequest): number {
  const { submission: s, plan } = req;
  return db.transaction(
    (tx) => {
      const found = tx
        .select({ id: nightlyRuns.id })
        .from(nightlyRuns)
        .where(and(sql`json_extract(${nightlyRuns.summary}, '$.slurm.planId') = ${s.planId}`, sql`json_extract(${nightlyRuns.summary}, '$.slurm.submission') = ${s.number}`))
        .get();
      if (found) return found.id;
      const envId = environmentId(tx as unknown as Db, currentEnvironment());
      const id = tx
        .insert(nightlyRuns)
        .values({
          startedAt: s.submittedAt,
          status: 'running',
          gitCommit: plan.gitCommit,
          host: s.host,
          pid: s.pid,
          preset: plan.preset,
          config: plan.config,
          environmentId: envId,
          summary: { slurm: slurmStamp(s) },
        })
        .returning({ id: nightlyRuns.id })
        .get().id;
      for (const job of req.jobs) {
        const submitted = s.jobIds[job.key] !== undefined;
        tx.insert(jobsTable)
          .values({ nightlyId: id, kind: job.kind, key: job.key, label: job.label, status: submitted ? 'pending' : 'skipped', inputs: job.inputs as unknown as Record<string, unknown> })
          .run();
      }
      return id;
    },
    { behavior: 'immediate' },
  );
}

export function importSubmission(db: Db, req: ImportRequest): ImportSummary {
  const { submission: s, workDir } = req;
  const nightlyId = nightlyFor(db, req);
  const rows = new Map(db.select().from(jobsTable).where(eq(jobsTable.nightlyId, nightlyId)).all().map((r) => [r.key, r]));
  const logDir = path.join(workDir, 'logs', `slurm-${s.planId}`);
  const out: ImportSummary = { nightlyId, planId: s.planId, submission: s.number, imported: 0, alreadyImported: 0, skipped: 0, failed: 0, pending: 0, settled: false, status: 'running' };
  const failedLabels = new Map<string, string>();
  const setRow = (id: number, values: Partial<typeof jobsTable.$inferInsert>) => db.update(jobsTable).set(values).where(eq(jobsTable.id, id)).run();

  for (const job of req.jobs) {
    const row = rows.get(job.key)!;
    const slurmId = s.jobIds[job.key];
    const result = jobResult(workDir, job.key);
    if (slurmId === undefined) {
      // Done before this submission; stored here only if this database lacks it (a new --db).
      if (isFinished(result) && result!.ok && !alreadyDone(db, job)) {
        storeOutput(db, job, row.id, result!.output, nightlyId, req.plan.codeVersion);
        setRow(row.id, { status: 'skipped' });
        out.imported++;
      }
      out.skipped++;
      continue;
    }
    if (row.status === 'succeeded' || row.status === 'failed') {
      if (row.status === 'failed') {
        out.failed++;
        failedLabels.set(job.key, job.label);
      } else out.alreadyImported++;
      continue;
    }
    const timing = { startedAt: result?.startedAt ?? null, logPath: jobLogFile(logDir, job) };
    if (result?.ok) {
      try {
        const outcome = storeOutput(db, job, row.id, result.output, nightlyId, req.plan.codeVersion);
        setRow(row.id, { ...timing, endedAt: result.endedAt ?? new Date().toISOString() });
        out.imported++;
        if (outcome.status === 'failed') {
          out.failed++;
          failedLabels.set(job.key, job.label);
        }
      } catch (err) {
        setRow(row.id, { ...timing, status: 'failed', error: `result not stored: ${errorMessage(err)}`, endedAt: new Date().toISOString() });
        out.failed++;
        failedLabels.set(job.key, job.label);
      }
      continue;
    }
    if (!result && req.stillQueued(slurmId)) {
      out.pending++;
      continue;
    }
    const failedDep = job.deps.map((k) => failedLabels.get(k)).find((l) => l !== undefined);
    const error = result && !result.ok
      ? result.error
      : failedDep
        ? `not run: ${failedDep} failed`
        : `Slurm job ${slurmId} ended without a result (cancelled, out of time, or its node failed); resubmit to resume it; Slurm's output is in ${path.join(slurmDirOf(workDir, s.planId), 'out')}`;
    setRow(row.id, { ...timing, status: 'failed', error, endedAt: result?.endedAt ?? new Date().toISOString() });
    out.failed++;
    failedLabels.set(job.key, job.label);
  }

  out.settled = out.pending === 0;
  if (out.settled) {
    out.status = out.failed > 0 ? 'failed' : 'succeeded';
    const all = db.select({ status: jobsTable.status }).from(jobsTable).where(eq(jobsTable.nightlyId, nightlyId)).all();
    const counts = { succeeded: 0, failed: 0, skipped: 0 };
    for (const r of all) if (r.status === 'succeeded' || r.status === 'failed' || r.status === 'skipped') counts[r.status]++;
    const night = db.select().from(nightlyRuns).where(eq(nightlyRuns.id, nightlyId)).get()!;
    const endedAt = night.endedAt ?? new Date().toISOString();
    const wallSeconds = (Date.parse(endedAt) - Date.parse(night.startedAt)) / 1000;
    db.update(nightlyRuns)
      .set({ status: out.status, endedAt, summary: { counts, wallSeconds, slurm: slurmStamp(s) } })
      .where(eq(nightlyRuns.id, nightlyId))
      .run();
  }
  return out;
}

export function formatImport(s: ImportSummary): string {
  const state = s.settled ? `nightly run ${s.nightlyId} ${s.status}` : `nightly run ${s.nightlyId} still running (${s.pending} job(s) queued or running)`;
  return `import of Slurm nightly ${s.planId}, submission ${s.submission}: ${s.imported} result(s) imported, ${s.alreadyImported} already imported, ${s.skipped} skipped (done before), ${s.failed} failed; ${state}\n`;
}
