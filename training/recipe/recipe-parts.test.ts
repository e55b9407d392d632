/**
 * The recipe's numeric parts against PyTorch 1.13 (reference/make_fixtures.py wrote the JSON;
 * CI has no torch, so the committed fixture is the reference) and against hand computation.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, decays } from './adamw.js';
import { decayFromHalfLife, Ema, emaDecayFor } from './ema.js';
import { distillationKl, softTargetCrossEntropy, usiLoss } from './kd-loss.js';
import { lrAt, planSchedule } from './schedule.js';

interface Fixtures {
  kd: {
    student: number[][]; teacher: number[][]; targets: number[][];
    cases: Array<{ alphaKd: number; temperature: number; kdOnly: boolean; loss: number; ce: number; kl: number; gradStudent: number[][] }>;
  };
  adamw: {
    weightDecay: number; beta1: number; beta2: number; eps: number; lrs: number[];
    init: Record<'w' | 'b' | 'g', number[] | number[][]>;
    grads: Array<Record<'w' | 'b' | 'g', number[] | number[][]>>;
    after: Array<Record<'w' | 'b' | 'g', number[] | number[][]>>;
  };
  schedule: Array<{ total: number; warmup: number; cooldown: number; lr: number; warmupLr: number; minLr: number; lrs: number[] }>;
  ema: { decay: number; names: string[]; init: Record<string, number[]>; steps: Array<{ weights: Record<string, number[]>; ema: Record<string, number[]> }> };
}

const fx = JSON.parse(readFileSync(new URL('./reference/fixtures.json', import.meta.url), 'utf8')) as Fixtures;

function expectClose(actual: ArrayLike<number>, expected: number[], rel = 1e-5, abs = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = abs + rel * Math.abs(expected[i]);
    if (Math.abs(actual[i] - expected[i]) > tol) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('KD loss', () => {
  const s = () => tf.tensor2d(fx.kd.student);
  const t = () => tf.tensor2d(fx.kd.teacher);
  const y = () => tf.tensor2d(fx.kd.targets);

  it('matches PyTorch for τ=1, τ=2, τ=0.5, KD-only and alpha 0, loss and gradient', () => {
    for (const c of fx.kd.cases) {
      const opts = { alphaKd: c.alphaKd, temperature: c.temperature, kdOnly: c.kdOnly };
      const teacher = c.alphaKd > 0 ? t() : null;
      const targets = y();
      const { value, grad } = tf.valueAndGrad((logits: tf.Tensor) => usiLoss(logits as tf.Tensor2D, targets, teacher, opts))(s());
      expect(value.dataSync()[0]).toBeCloseTo(c.loss, 5);
      expectClose(grad.dataSync(), c.gradStudent.flat(), 1e-4, 1e-6);
      const ce = softTargetCrossEntropy(s(), targets).dataSync()[0];
      const kl = distillationKl(s(), t(), c.temperature).dataSync()[0];
      expect(ce).toBeCloseTo(c.ce, 5);
      expect(kl).toBeCloseTo(c.kl, 5);
    }
  });

  it('is CE alone with one-hot targets and no teacher, equal to -log softmax by hand', () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    const onehot = tf.tensor2d([[0, 0, 1]]);
    const expected = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
    const loss = usiLoss(logits, onehot, null, { alphaKd: 0, temperature: 1, kdOnly: false });
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 6);
  });

  it('refuses KD without teacher logits', () => {
    expect(() => usiLoss(s(), y(), null, { alphaKd: 5, temperature: 1, kdOnly: false })).toThrow(/teacher logits/);
  });
});

describe('AdamW', () => {
  it('matches torch.optim.AdamW with a decay and a no-decay group over 5 steps with changing lr', () => {
    const a = fx.adamw;
    const w = tf.variable(tf.tensor2d(a.init.w as number[][]), true, 'dense/kernel');
    const b = tf.variable(tf.tensor1d(a.init.b as number[]), true, 'dense/bias');
    const g = tf.variable(tf.tensor1d(a.init.g as number[]), true, 'bn/gamma');
    const opt = new AdamW([w, b, g], { weightDecay: a.weightDecay, beta1: a.beta1, beta2: a.beta2, eps: a.eps });
    expect(opt.decayMask).toEqual([true, false, false]);
    for (let k = 0; k < a.lrs.length; k++) {
      const grads = [tf.tensor2d(a.grads[k].w as number[][]), tf.tensor1d(a.grads[k].b as number[]), tf.tensor1d(a.grads[k].g as number[])];
      opt.step(grads, a.lrs[k]);
      tf.dispose(grads);
      expectClose(w.dataSync(), (a.after[k].w as number[][]).flat(), 2e-6, 1e-7);
      expectClose(b.dataSync(), a.after[k].b as number[], 2e-6, 1e-7);
      expectClose(g.dataSync(), a.after[k].g as number[], 2e-6, 1e-7);
    }
    opt.dispose();
    tf.dispose([w, b, g]);
  });

  it('state round-trips: a restored optimiser takes the same next step', async () => {
    const p1 = tf.variable(tf.tensor2d([[1, -2], [3, 0.5]]), true, 'p1/kernel');
    const p2 = tf.variable(tf.tensor2d([[1, -2], [3, 0.5]]), true, 'p2/kernel');
    const cfg = { weightDecay: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const o1 = new AdamW([p1], cfg);
    const grad = tf.tensor2d([[0.1, -0.3], [0.2, 0.05]]);
    o1.step([grad], 1e-2);
    o1.step([grad], 1e-2);
    const o2 = new AdamW([p2], cfg);
    tf.tidy(() => p2.assign(p1.clone()));
    o2.setState(await o1.getState());
    o1.step([grad], 1e-2);
    o2.step([grad], 1e-2);
    expect(Array.from(p2.dataSync())).toEqual(Array.from(p1.dataSync()));
    expect(o2.stepCount).toBe(3);
    o1.dispose();
    o2.dispose();
    tf.dispose([p1, p2, grad]);
  });

  it('decays kernels but not biases or 1-D parameters', () => {
    const vars = [
      tf.variable(tf.zeros([3, 3, 1, 4]), true, 'conv1/kernel'),
      tf.variable(tf.zeros([4, 2]), true, 'fc/bias'),
      tf.variable(tf.zeros([4]), true, 'ln/gamma'),
      tf.variable(tf.zeros([1, 5, 8]), true, 'pos_embed/pos'),
      tf.variable(tf.zeros([1, 1, 8]), true, 'cls_token/token_1'),
      tf.variable(tf.zeros([8, 8]), true, 'attn/qkv/kernel'),
      tf.variable(tf.zeros([8, 8]), true, 'repos/kernel'),
    ];
    expect(vars.map(decays)).toEqual([true, false, false, false, false, true, true]);
    tf.dispose(vars);
  });

  it('keeps numTensors flat across steps and releases everything it made on dispose', () => {
    const p = tf.variable(tf.randomNormal([8, 8]), true, 'flat/kernel');
    const start = tf.memory().numTensors;
    const opt = new AdamW([p], { weightDecay: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const grad = tf.randomNormal([8, 8]);
    opt.step([grad], 1e-3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.step([grad], 1e-3);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    grad.dispose();
    expect(tf.memory().numTensors).toBe(start);
    p.dispose();
  });
});

describe('lr schedule', () => {
  it('matches PyTorch LinearLR → CosineAnnealingLR → constant at every step', () => {
    for (const s of fx.schedule) {
      const plan = { totalSteps: s.total, warmupSteps: s.warmup, cooldownSteps: s.cooldown, lr: s.lr, warmupLr: s.warmupLr, minLr: s.minLr };
      const ours = s.lrs.map((_, k) => lrAt(plan, k));
      expectClose(ours, s.lrs, 1e-9, 1e-12);
    }
  });

  it('has the key points by hand: warm-up start, peak, cosine midpoint, floor', () => {
    const plan = { totalSteps: 110, warmupSteps: 10, cooldownSteps: 0, lr: 2e-3, warmupLr: 1e-4, minLr: 1e-6 };
    expect(lrAt(plan, 0)).toBe(1e-4);
    expect(lrAt(plan, 5)).toBeCloseTo(1e-4 + (2e-3 - 1e-4) / 2, 12);
    expect(lrAt(plan, 10)).toBeCloseTo(2e-3, 12);
    expect(lrAt(plan, 60)).toBeCloseTo((2e-3 + 1e-6) / 2, 12);
    expect(lrAt(plan, 109)).toBeGreaterThan(1e-6);
    expect(lrAt(plan, 110)).toBe(1e-6);
  });

  it('scales warm-up and cool-down with the run (reference 5/310 and 10/310), at least one warm-up step', () => {
    const r = { lr: 2e-3, warmupLr: 1e-4, minLr: 1e-6, warmupFraction: 5 / 310, cooldownFraction: 10 / 310 };
    expect(planSchedule(r, 310)).toMatchObject({ warmupSteps: 5, cooldownSteps: 10 });
    expect(planSchedule(r, 3100)).toMatchObject({ warmupSteps: 50, cooldownSteps: 100 });
    expect(planSchedule(r, 62)).toMatchObject({ warmupSteps: 1, cooldownSteps: 2 });
    expect(planSchedule(r, 2)).toMatchObject({ warmupSteps: 1, cooldownSteps: 0 });
    expect(planSchedule(r, 1)).toMatchObject({ warmupSteps: 0, cooldownSteps: 0 });
  });
});

describe('EMA', () => {
  it('decay from a half-life halves the gap in that many steps (hand computation)', () => {
    const d = decayFromHalfLife(10);
    expect(d).toBeCloseTo(0.9330329915368074, 14);
    expect(d ** 10).toBeCloseTo(0.5, 14);
    // the reference: 0.99996 at ~17.3k steps half-life, 4.5% of a run
    expect(emaDecayFor({ emaDecay: null, emaHalfLifeFraction: 0.045 }, 385_000)).toBeCloseTo(0.99996, 6);
    expect(emaDecayFor({ emaDecay: 0.9, emaHalfLifeFraction: 0.045 }, 100)).toBe(0.9);
  });

  it('matches a PyTorch state-dict EMA (weights and batch-norm running stats) step by step', () => {
    const e = fx.ema;
    const vars = e.names.map((n) => tf.variable(tf.tensor1d(e.init[n]), false));
    const ema = new Ema(vars, e.decay);
    for (const step of e.steps) {
      e.names.forEach((n, i) => tf.tidy(() => vars[i].assign(tf.tensor1d(step.weights[n]))));
      ema.update();
      e.names.forEach((n, i) => expectClose(ema.shadow[i].dataSync(), step.ema[n], 1e-6, 1e-7));
    }
    ema.dispose();
    tf.dispose(vars);
  });

  it('keeps numTensors flat across updates, releases its shadow on dispose, and state round-trips', async () => {
    const w = tf.variable(tf.randomNormal([4, 4]));
    const start = tf.memory().numTensors;
    const ema = new Ema([w], 0.5);
    ema.update();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) ema.update();
    expect(tf.memory().numTensors).toBe(before);
    const state = (await ema.getState()).map((a) => a.slice());
    tf.tidy(() => w.assign(tf.zerosLike(w)));
    ema.update();
    ema.setState(state);
    expectClose(ema.shadow[0].dataSync(), Array.from(state[0]), 0, 0);
    ema.dispose();
    expect(tf.memory().numTensors).toBe(start);
    w.dispose();
  });
});
