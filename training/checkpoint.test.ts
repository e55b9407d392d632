import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointPath, loadCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.js';

const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-ckpt-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function sample(): CheckpointState {
  const f = (...xs: number[]) => Float32Array.from(xs);
  return {
    fingerprint: { recipeHash: 'abc', epochs: 2, trainLimit: null },
    epoch: 1,
    optimizerStep: 31,
    curve: [{ epoch: 1, loss: 1.25, lr: 1e-3, top1: 0.5, top1Ema: 0.25 }],
    lastEval: { raw: { top1: 0.5, top5: 0.75, count: 8 }, ema: { top1: 0.25, top5: 1, count: 8 } },
    elapsedSeconds: 12.5,
    weights: [f(1, 2, 3), f(-0.1), f(Math.PI, 1e-30, -7)],
    adamM: [f(0.5, 0.25, 0.125), f(2), f(0, 0, 0)],
    adamV: [f(9, 8, 7), f(6), f(5, 4, 3)],
    ema: [f(1.5, 2.5, 3.5), f(-1), f(0.1, 0.2, 0.3)],
  };
}

describe('checkpoint', () => {
  it('round-trips every tensor bit for bit, with epoch, step, curve and evaluation', () => {
    const dir = tmpDir();
    const s = sample();
    saveCheckpoint(dir, s);
    const back = loadCheckpoint(dir);
    expect(back).not.toBeNull();
    expect(back!.fingerprint).toEqual(s.fingerprint);
    expect([back!.epoch, back!.optimizerStep, back!.elapsedSeconds]).toEqual([1, 31, 12.5]);
    expect(back!.curve).toEqual(s.curve);
    expect(back!.lastEval).toEqual(s.lastEval);
    for (const g of ['weights', 'adamM', 'adamV', 'ema'] as const) {
      expect(back![g].map((a) => Array.from(a))).toEqual(s[g].map((a) => Array.from(a)));
    }
    // only the checkpoint itself is left: no temporary files
    expect(fs.readdirSync(dir)).toEqual(['checkpoint.bin']);
  });

  it('returns null when there is none, and refuses a truncated or foreign file', () => {
    const dir = tmpDir();
    expect(loadCheckpoint(dir)).toBeNull();
    saveCheckpoint(dir, sample());
    const file = checkpointPath(dir);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 4));
    expect(() => loadCheckpoint(dir)).toThrow(/truncated/);
    fs.writeFileSync(file, 'not a checkpoint at all');
    expect(() => loadCheckpoint(dir)).toThrow(/not a usibench checkpoint/);
  });

  it('overwrites the previous epoch in place', () => {
    const dir = tmpDir();
    saveCheckpoint(dir, sample());
    const s2 = { ...sample(), epoch: 2, weights: [Float32Array.from([7, 7, 7]), Float32Array.from([7]), Float32Array.from([7, 7, 7])] };
    saveCheckpoint(dir, s2);
    const back = loadCheckpoint(dir)!;
    expect(back.epoch).toBe(2);
    expect(Array.from(back.weights[0])).toEqual([7, 7, 7]);
  });
});
