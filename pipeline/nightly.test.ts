import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostName } from '../common/environment.js';
import { closeDb, openDb } from '../db/index.js';
import { resultRows } from '../db/queries.js';
import { benchmarkResults, jobs, nightlyRuns, pipelineLock, teachers, trainingRuns } from '../db/schema.js';
import { validateConfig } from './config.js';
import { acquireNightlyLock, processAlive, processState } from './lock.js';
import { runNightly, type NightlyOptions } from './nightly.js';
import { planJobs } from './plan.js';
import { FakeRunner, TEST_CONFIG, fakeTop1, type FakeOptions } from './__fixtures__/fake-runner.js';

let dir: string;
let dbFile: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-nightly-'));
  dbFile = path.join(dir, 'n.sqlite');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const config = () => validateConfig({ ...TEST_CONFIG, workDir: path.join(dir, 'work') }, 'test');

function run(fake: FakeOptions | FakeRunner = {}, extra: Partial<NightlyOptions> = {}) {
  const runner = fake instanceof FakeRunner ? fake : new FakeRunner(fake);
  return { runner, done: runNightly({ config: config(), preset: null, dbFile, jobs: 2, codeVersion: 'test-code', runner, ...extra }) };
}

function counts() {
  const db = openDb(dbFile);
  try {
    return {
      training: db.select().from(trainingRuns).all(),
      bench: db.select().from(benchmarkResults).all(),
      teachers: db.select().from(teachers).all(),
      nightlies: db.select().from(nightlyRuns).all(),
      jobs: db.select().from(jobs).all(),
      lock: db.select().from(pipelineLock).all(),
    };
  } finally {
    closeDb(db);
  }
}

/** No job key has two finished results from the same night, and every planned job has exactly one overall. */
function expectOneResultPerJob() {
  const c = counts();
  const keys = [...c.training.map((t) => `${t.jobKey}@${t.nightlyId}`), ...c.bench.map((b) => `${b.jobKey}@${b.nightlyId}`)];
  expect(new Set(keys).size).toBe(keys.length);
  const plan = planJobs(config(), 'test-code');
  for (const job of plan) {
    const n = job.kind === 'bench' ? c.bench.filter((b) => b.jobKey === job.key && b.status === 'ok').length : c.training.filter((t) => t.jobKey === job.key && t.status === 'ok').length;
    expect(n, job.label).toBe(1);
  }
}

describe('nightly pipeline', () => {
  it('runs teacher, USI and baseline runs and benchmarks, in dependency order, benchmarks alone', async () => {
    const { runner, done } = run();
    const s = await done;
    expect(s.status).toBe('succeeded');
    expect(s.counts).toEqual({ succeeded: 9, failed: 0, skipped: 0 });
    const c = counts();
    expect(c.teachers).toHaveLength(1);
    expect(c.training.map((t) => t.mode).sort()).toEqual(['baseline', 'baseline', 'teacher', 'usi', 'usi']);
    expect(c.bench).toHaveLength(4);
    expect(c.lock).toEqual([]);
    expect(c.nightlies[0].status).toBe('succeeded');
    const ev = (label: string) => runner.events.find((e) => e.label === label)!;
    for (const m of ['resnet8_s', 'mixer_s']) {
      expect(ev(`USI ${m}`).start).toBeGreaterThanOrEqual(ev('teacher resnet26_s').end);
      expect(ev(`bench ${m} tfjs fp32`).start).toBeGreaterThanOrEqual(ev(`USI ${m}`).end);
    }
    for (const b of runner.events.filter((e) => e.kind === 'bench')) {
      const overlapping = runner.events.filter((o) => o !== b && o.start < b.end && b.start < o.end);
      expect(overlapping.map((o) => o.label), b.label).toEqual([]);
    }
    // The stored rows are what the site reads: gains are USI − baseline (0.02 by construction).
    const db = openDb(dbFile);
    const rows = resultRows(db, { runtime: 'tfjs' });
    closeDb(db);
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.top1).toBeCloseTo(fakeTop1(r.model, 'usi'), 12);
      expect(r.usiGain).toBeCloseTo(0.02, 12);
      expect(r.teacherModel).toBe('resnet26_s');
    }
    expect(fs.existsSync(s.jobs[0].logFile!)).toBe(true);
  });

  it('skips every job on a second run, and reruns them all with --force', async () => {
    await run().done;
    const second = run();
    const s2 = await second.done;
    expect(s2.counts).toEqual({ succeeded: 0, failed: 0, skipped: 9 });
    expect(second.runner.events).toEqual([]);
    expect(counts().bench).toHaveLength(4);
    const forced = await run({}, { force: true }).done;
    expect(forced.counts.succeeded).toBe(9);
    const c = counts();
    expect(c.bench).toHaveLength(8);
    expect(new Set(c.bench.map((b) => b.nightlyId)).size).toBe(2);
  });

  it('records a failing job, runs the rest, and fails the dependents of a failed teacher', async () => {
    const s = await run({ fail: ['baseline mixer_s'] }).done;
    expect(s.status).toBe('failed');
    expect(s.counts).toEqual({ succeeded: 8, failed: 1, skipped: 0 });
    const failed = counts().jobs.find((j) => j.label === 'baseline mixer_s')!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/fake failure in baseline mixer_s/);

    fs.rmSync(dbFile);
    const t = await run({ fail: ['teacher resnet26_s'] }).done;
    const byLabel = Object.fromEntries(t.jobs.map((j) => [j.label, j]));
    expect(byLabel['USI mixer_s'].status).toBe('failed');
    expect(byLabel['USI mixer_s'].error).toBe('not run: teacher resnet26_s failed');
    expect(byLabel['bench mixer_s tfjs fp32'].error).toBe('not run: USI mixer_s failed');
    expect(byLabel['baseline mixer_s'].status).toBe('succeeded');
  });

  it('refuses a second nightly while one lives, and takes over from a dead one', async () => {
    const db = openDb(dbFile);
    const heldBy = acquireNightlyLock(db, dbFile, { pid: 4242, host: hostName(), gitCommit: 'x', preset: null, config: {}, environmentId: null, isAlive: () => true });
    closeDb(db);
    await expect(run({}, { isAlive: () => true }).done).rejects.toThrowError(/another nightly \(run 1, pid 4242.*is running on/);
    const s = await run({}, { isAlive: (pid) => pid !== 4242 }).done;
    expect(s.status).toBe('succeeded');
    const c = counts();
    expect(c.nightlies.find((n) => n.id === heldBy)!.status).toBe('interrupted');
    expect(c.lock).toEqual([]);
  });

  it('resumes after the nightly is SIGKILLed mid-job: no result lost or duplicated', async () => {
    const marker = path.join(dir, 'hung');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '__fixtures__', 'kill-child.ts'), dbFile, path.join(dir, 'work'), marker], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    const deadline = Date.now() + 40_000;
    while (!fs.existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(marker)).toBe(true);
    expect(child.exitCode).toBeNull(); // still alive, hung mid-job
    child.kill('SIGKILL');
    await exited;
    const before = counts();
    expect(before.lock).toHaveLength(1); // the crash left the lock behind
    expect(before.training.map((t) => t.mode).sort()).toEqual(['baseline', 'teacher', 'usi']);

    const { runner, done } = run();
    const s = await done;
    expect(s.status).toBe('succeeded');
    expect(s.counts).toEqual({ succeeded: 6, failed: 0, skipped: 3 });
    expect(runner.events.find((e) => e.label === 'USI mixer_s')!.resumedFromEpoch).toBe(1);
    const c = counts();
    expect(c.nightlies.map((n) => n.status)).toEqual(['interrupted', 'succeeded']);
    expect(c.jobs.filter((j) => j.nightlyId === 1 && j.status === 'running')).toEqual([]);
    expectOneResultPerJob();
  });

  it('restarts at once after a SIGKILL, while the killed nightly is a zombie not yet reaped', async () => {
    // The nightly's parent is a `sleep` that never reaps it (the shell forks it, then execs sleep),
    // like a supervisor that has not yet collected its dead child: kill(pid, 0) still succeeds.
    const marker = path.join(dir, 'hung');
    const fixture = path.join(import.meta.dirname, '__fixtures__', 'kill-child.ts');
    const parent = spawn('/bin/sh', ['-c', '"$0" "$@" & exec sleep 300', process.execPath, '--import', 'tsx', fixture, dbFile, path.join(dir, 'work'), marker], { stdio: 'ignore' });
    try {
      const deadline = Date.now() + 40_000;
      while (!fs.existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(fs.existsSync(marker)).toBe(true);
      const pid = counts().lock[0].pid;
      expect(processAlive(pid)).toBe(true);
      process.kill(pid, 'SIGKILL');
      while (processState(pid) !== 'Z' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(processState(pid)).toBe('Z');
      const s = await run().done;
      expect(processState(pid)).toBe('Z'); // still unreaped: the restart did not wait for it
      expect(s.status).toBe('succeeded');
      expect(s.counts).toEqual({ succeeded: 6, failed: 0, skipped: 3 });
      expect(counts().nightlies.map((n) => n.status)).toEqual(['interrupted', 'succeeded']);
      expectOneResultPerJob();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a write error in one job loses and duplicates nothing; the rerun finishes only that job', async () => {
    const s = await run({ diskFull: ['bench resnet8_s onnxruntime/cpu fp32'] }).done;
    expect(s.counts).toEqual({ succeeded: 8, failed: 1, skipped: 0 });
    expect(s.jobs.find((j) => j.status === 'failed')!.error).toMatch(/ENOSPC/);
    expect(counts().bench).toHaveLength(3);
    const again = run();
    const s2 = await again.done;
    expect(s2.counts).toEqual({ succeeded: 1, failed: 0, skipped: 8 });
    expect(again.runner.events.map((e) => e.label)).toEqual(['bench resnet8_s onnxruntime/cpu fp32']);
    expectOneResultPerJob();
  });
});
