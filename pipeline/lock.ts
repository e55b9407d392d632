/**
 * One nightly per database. The lock is a row (pid, host) rather than a file lock so it survives
 * a crash visibly: a new nightly finds the row, checks whether that process still lives, and takes
 * over only from a dead one, marking the dead run 'interrupted'.
 */
import fs from 'node:fs';
import { and, eq, inArray } from 'drizzle-orm';
import { UsageError } from '../common/errors.js';
import type { Db } from '../db/index.js';
import { jobs, nightlyRuns, pipelineLock } from '../db/schema.js';

/**
 * The state letter of a process in /proc/<pid>/stat (R, S, D, Z, …), or null where there is no
 * /proc. The command name in parentheses may hold spaces and parentheses, so read after the last ')'.
 */
export function processState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
  } catch {
    return null;
  }
}

/**
 * Whether the process still runs. A process killed by SIGKILL stays in the process table as a
 * zombie until its parent reaps it, and `kill(pid, 0)` succeeds on a zombie: a restart at once
 * (Slurm's requeue, systemd's Restart=) would be refused by a dead owner. Its state in /proc tells.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = processState(pid);
  // Z: exited, not yet reaped; X: being torn down. No /proc (not Linux): the signal's answer stands.
  return state !== 'Z' && state !== 'X';
}

export interface LockRequest {
  pid: number;
  host: string;
  gitCommit: string;
  preset: string | null;
  config: Record<string, unknown>;
  environmentId: number | null;
  /** Take the lock from a holder on another host (whose liveness cannot be checked from here). */
  breakLock?: boolean;
  /** Liveness check, replaceable in tests. */
  isAlive?: (pid: number) => boolean;
}

/** Creates this nightly's row and takes the lock, atomically; returns the nightly id. */
export function acquireNightlyLock(db: Db, dbFile: string, req: LockRequest): number {
  const alive = req.isAlive ?? processAlive;
  return db.transaction(
    (tx) => {
      const held = tx.select().from(pipelineLock).where(eq(pipelineLock.id, 1)).get();
      if (held) {
        const sameHost = held.host === req.host;
        if (sameHost && alive(held.pid)) {
          throw new UsageError(
            `another nightly (run ${held.nightlyId}, pid ${held.pid}, started ${held.acquiredAt}) is running on ${dbFile}; wait for it to finish or use another --db`,
          );
        }
        if (!sameHost && !req.breakLock) {
          throw new UsageError(
            `nightly run ${held.nightlyId} on host ${held.host} (pid ${held.pid}) holds ${dbFile}; if that run is dead, rerun with --break-lock`,
          );
        }
        const now = new Date().toISOString();
        tx.update(nightlyRuns).set({ status: 'interrupted', endedAt: now }).where(eq(nightlyRuns.id, held.nightlyId)).run();
        tx.update(jobs)
          .set({ status: 'failed', error: 'interrupted: the nightly process died', endedAt: now })
          .where(and(eq(jobs.nightlyId, held.nightlyId), inArray(jobs.status, ['pending', 'running'])))
          .run();
        tx.delete(pipelineLock).where(eq(pipelineLock.id, 1)).run();
      }
      const startedAt = new Date().toISOString();
      const nightly = tx
        .insert(nightlyRuns)
        .values({
          startedAt,
          status: 'running',
          gitCommit: req.gitCommit,
          host: req.host,
          pid: req.pid,
          preset: req.preset,
          config: req.config,
          environmentId: req.environmentId,
        })
        .returning({ id: nightlyRuns.id })
        .get();
      tx.insert(pipelineLock).values({ id: 1, nightlyId: nightly.id, pid: req.pid, host: req.host, acquiredAt: startedAt }).run();
      return nightly.id;
    },
    { behavior: 'immediate' },
  );
}

export function releaseNightlyLock(db: Db, nightlyId: number): void {
  db.delete(pipelineLock).where(eq(pipelineLock.nightlyId, nightlyId)).run();
}
