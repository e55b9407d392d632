import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../db/index.js';
import { benchmarkResults, jobs, nightlyRuns, trainingRuns } from '../db/schema.js';
import { validateConfig } from './config.js';
import { planJobs } from './plan.js';
import { storeOutput } from './store.js';
import { FakeRunner, TEST_CONFIG } from './__fixtures__/fake-runner.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-store-'));
  db = openDb(path.join(dir, 's.sqlite'));
});
afterEach(() => {
  closeDb(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('storeOutput', () => {
  it('a full database (SQLITE_FULL) stores nothing of the result and leaves earlier results intact', async () => {
    const plan = planJobs(validateConfig({ ...TEST_CONFIG, workDir: dir }, 't'), 'v');
    const nightly = db.insert(nightlyRuns).values({ startedAt: 'now', status: 'running', gitCommit: 'v', host: 'h', pid: 1, config: {} }).returning().get();
    const rowIds = plan.map((j) => db.insert(jobs).values({ nightlyId: nightly.id, kind: j.kind, key: j.key, label: j.label, status: 'running', inputs: {} }).returning().get().id);
    const runner = new FakeRunner();
    const ctx = (i: number) => ({ logFile: path.join(dir, `${i}.log`), outDir: path.join(dir, `out${i}`), deps: {} });
    // Teacher first (stored normally), then fill the disk: cap the file at its current size.
    storeOutput(db, plan[0], rowIds[0], await runner.run(plan[0], ctx(0)), nightly.id, 'v');
    const baseline = plan.find((j) => j.label === 'baseline mixer_s')!;
    const output = await runner.run(baseline, ctx(1));
    const pages = db.$client.pragma('page_count', { simple: true }) as number;
    db.$client.pragma(`max_page_count = ${pages}`);
    if (output.kind !== 'train') throw new Error('expected a training output');
    const bigCurve = { ...output, run: { ...output.run, curve: Array.from({ length: 20000 }, (_, e) => ({ epoch: e, loss: 1, lr: 1, top1: 1, top1Ema: 1 })) } };
    expect(() => storeOutput(db, baseline, rowIds[plan.indexOf(baseline)], bigCurve, nightly.id, 'v')).toThrowError(/full/);
    db.$client.pragma('max_page_count = 1073741823');
    const runs = db.select().from(trainingRuns).all();
    expect(runs.map((r) => r.mode)).toEqual(['teacher']);
    expect(db.select().from(jobs).all().find((j) => j.key === baseline.key)!.status).toBe('running'); // not marked succeeded
    expect(db.select().from(benchmarkResults).all()).toEqual([]);
    // With room again the same result stores once, and storing it again does not duplicate it.
    storeOutput(db, baseline, rowIds[plan.indexOf(baseline)], output, nightly.id, 'v');
    storeOutput(db, baseline, rowIds[plan.indexOf(baseline)], output, nightly.id, 'v');
    expect(db.select().from(trainingRuns).all().map((r) => r.mode)).toEqual(['teacher', 'baseline']);
  });
});
