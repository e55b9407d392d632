import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from './workers.js';

const JOBS = new URL('../../test/pool-jobs.ts', import.meta.url);

describe('WorkerPool', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.create({ size: 2, backend: 'wasm' });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('starts each worker on its own wasm backend', () => {
    expect(pool.size).toBe(2);
    expect(pool.backends.map((b) => b.name)).toEqual(['wasm', 'wasm']);
  });

  it('runs jobs in two workers at once and returns their results', async () => {
    // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]]
    const arg = { a: [1, 2, 3, 4], b: [5, 6, 7, 8], n: 2, holdMs: 300 };
    const results = await Promise.all([0, 1, 2, 3].map(() => pool.run<{ values: number[]; threadId: number; backend: string }>(JOBS, 'matmulJob', arg)));
    for (const r of results) {
      expect(r.values).toEqual([19, 22, 43, 50]);
      expect(r.backend).toBe('wasm');
    }
    expect(new Set(results.map((r) => r.threadId)).size).toBe(2);
  });

  it('passes a job error back, keeping UsageError as such', async () => {
    const usage = await pool.run(JOBS, 'failJob', 'usage').catch((e: unknown) => e);
    expect((usage as Error).name).toBe('UsageError');
    expect((usage as Error).message).toBe('bad job input; fix it');
    const plain = await pool.run(JOBS, 'failJob', 'plain').catch((e: unknown) => e);
    expect((plain as Error).name).toBe('RangeError');
    expect(await pool.run(JOBS, 'missingJob').catch((e: Error) => e.message)).toMatch(/no exported function missingJob/);
  });
});
