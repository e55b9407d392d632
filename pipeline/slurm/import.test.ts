import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../common/atomic.js';
import { closeDb, openDb } from '../../db/index.js';
import { benchmarkResults, jobs, nightlyRuns, trainingRuns } from '../../db/schema.js';
import { validateConfig } from '../config.js';
import { planJobs, type PlannedJob } from '../plan.js';
import { depInfoOf, type DepInfo, type WorkerResult } from '../runner.js';
import { jobLogFile, jobOutDir, jobResultFile } from '../work-dir.js';
import { FakeRunner, TEST_CONFIG } from '../__fixtures__/fake-runner.js';
import { importSubmission } from './import.js';
import { jobResult, planIdOf, readPlanFile, slurmDirOf, writePlanFile, type Submission } from './submission.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-import-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A plan in a work dir and a submission of all its jobs, as submitNightly leaves them (no Slurm needed). */
function submitted() {
  const workDir = path.join(dir, 'work');
  const config = validateConfig({ ...TEST_CONFIG, workDir }, 'test');
  const plan = planJobs(config, 'test-code');
  const planId = planIdOf(plan, workDir);
  const planFile = writePlanFile(slurmDirOf(workDir, planId), { planId, preset: null, codeVersion: 'test-code', gitCommit: 'abc', config: config as unknown as Record<string, unknown> });
  const submission: Submission = {
    planId, number: 1, submittedAt: new Date().toISOString(), host: 'login1', pid: 1,
    jobIds: Object.fromEntries(plan.map((j, i) => [j.key, String(100 + i)])), batches: [],
  };
  return { workDir, submission, ...readPlanFile(planFile) };
}

/** Runs a job with the fake runner as a Slurm task would, writing its result file. */
async function runAsTask(workDir: string, job: PlannedJob): Promise<void> {
  const deps: Record<string, DepInfo> = {};
  for (const k of job.deps) {
    const r = jobResult(workDir, k);
    if (r?.ok && r.output.kind !== 'bench') deps[k] = depInfoOf(r.output.run);
  }
  const output = await new FakeRunner().run(job, { logFile: jobLogFile(path.join(dir, 'logs'), job), outDir: jobOutDir(workDir, job.key), deps });
  const result: WorkerResult = { ok: true, output, startedAt: new Date().toISOString(), endedAt: new Date().toISOString() };
  writeFileAtomic(jobResultFile(workDir, job.key), JSON.stringify(result));
}

describe('importing a Slurm nightly', () => {
  it('stores each result once however often it runs, and settles when every job has ended', async () => {
    const s = submitted();
    const last = s.jobs.at(-1)!;
    for (const job of s.jobs.slice(0, -1)) await runAsTask(s.workDir, job);
    const db = openDb(path.join(dir, 'r.sqlite'));
    try {
      const queued = new Set([s.submission.jobIds[last.key]]);
      const req = { plan: s.plan, jobs: s.jobs, workDir: s.workDir, submission: s.submission, stillQueued: (id: string) => queued.has(id) };
      expect(importSubmission(db, req)).toMatchObject({ imported: 8, alreadyImported: 0, pending: 1, settled: false, status: 'running' });
      expect(importSubmission(db, req)).toMatchObject({ imported: 0, alreadyImported: 8, pending: 1, settled: false });
      expect(db.select().from(nightlyRuns).all().map((n) => n.status)).toEqual(['running']);
      await runAsTask(s.workDir, last);
      queued.clear();
      expect(importSubmission(db, req)).toMatchObject({ imported: 1, alreadyImported: 8, pending: 0, failed: 0, settled: true, status: 'succeeded' });
      expect(importSubmission(db, req)).toMatchObject({ imported: 0, alreadyImported: 9, settled: true });
      expect(db.select().from(trainingRuns).all()).toHaveLength(5);
      expect(db.select().from(benchmarkResults).all()).toHaveLength(4);
      const night = db.select().from(nightlyRuns).all();
      expect(night).toHaveLength(1);
      expect(night[0]).toMatchObject({ status: 'succeeded', host: 'login1', gitCommit: 'abc' });
      expect(night[0].summary).toMatchObject({ counts: { succeeded: 9, failed: 0, skipped: 0 }, slurm: { planId: s.submission.planId, submission: 1 } });
    } finally {
      closeDb(db);
    }
  });

  it('fails a job that ended without a result, and its dependents as not run', async () => {
    const s = submitted();
    const usiMixer = s.jobs.find((j) => j.label === 'USI mixer_s')!;
    for (const job of s.jobs.filter((j) => j !== usiMixer && !j.deps.includes(usiMixer.key))) await runAsTask(s.workDir, job);
    const db = openDb(path.join(dir, 'r.sqlite'));
    try {
      const sum = importSubmission(db, { plan: s.plan, jobs: s.jobs, workDir: s.workDir, submission: s.submission, stillQueued: () => false });
      expect(sum).toMatchObject({ imported: 6, failed: 3, settled: true, status: 'failed' });
      const byLabel = Object.fromEntries(db.select().from(jobs).all().map((j) => [j.label, j]));
      expect(byLabel['USI mixer_s'].error).toMatch(/^Slurm job \d+ ended without a result \(cancelled, out of time, or its node failed\); resubmit to resume it/);
      expect(byLabel['bench mixer_s tfjs fp32'].error).toBe('not run: USI mixer_s failed');
    } finally {
      closeDb(db);
    }
  });
});
