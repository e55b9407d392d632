import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/index.js';
import { jobs } from '../db/schema.js';
import { validateConfig } from './config.js';
import { estimateWall, formatEstimate } from './estimate.js';
import { runNightly } from './nightly.js';
import { planJobs } from './plan.js';
import { FakeRunner, TEST_CONFIG } from './__fixtures__/fake-runner.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-estimate-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('estimateWall', () => {
  it("prices the jobs to run from an earlier night's, scaled by their work, on the nightly's schedule", async () => {
    const dbFile = path.join(dir, 'e.sqlite');
    const config = validateConfig({ ...TEST_CONFIG, workDir: path.join(dir, 'work') }, 'test');
    const first = await runNightly({ config, preset: null, dbFile, jobs: 2, codeVersion: 'v1', runner: new FakeRunner({ epochMs: 30 }) });
    expect(first.expectedSeconds).toBeNull(); // nothing measured before the first night
    const db = openDb(dbFile);
    try {
      const measured = db.select().from(jobs).all();
      const seconds = (kind: string) =>
        measured.filter((j) => j.kind === kind).reduce((s, j) => s + (Date.parse(j.endedAt!) - Date.parse(j.startedAt!)) / 1000, 0);
      // the same plan with twice the epochs under new code: nothing is done, training costs twice as much
      const longer = validateConfig({ ...TEST_CONFIG, train: { ...TEST_CONFIG.train, epochs: 2 * TEST_CONFIG.train.epochs }, teacher: { ...TEST_CONFIG.teacher, epochs: 2 * TEST_CONFIG.teacher.epochs } }, 't');
      const plan = planJobs(longer, 'v2');
      const e = estimateWall(db, plan, 2, () => false);
      expect(e).toMatchObject({ priced: plan.length, unpriced: 0, done: 0 });
      expect(e.seconds).toBeCloseTo(2 * seconds('teacher') + (2 * seconds('train')) / 2 + seconds('bench'), 6);
      // jobs already done are not priced
      const again = estimateWall(db, planJobs(config, 'v1'), 2, () => true);
      expect(again).toMatchObject({ seconds: null, done: planJobs(config, 'v1').length });
      expect(formatEstimate(again)).toMatch(/all \d+ jobs already done/);
      expect(formatEstimate(e)).toMatch(/expected \d/);
    } finally {
      closeDb(db);
    }
  });
});
