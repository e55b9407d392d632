/**
 * A fast stand-in for the child-process runner: "trains" by writing one checkpoint line per epoch
 * into the job's out dir (resuming from it like the real trainer), and returns plausible outputs.
 * Knobs make a job fail, hit a write error, or hang after a given epoch so a test can SIGKILL it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PlannedJob } from '../plan.js';
import type { Benchmark, TrainingRun } from '../../db/record.js';
import type { JobContext, JobOutput, JobRunner } from '../runner.js';

export interface FakeOptions {
  epochMs?: number;
  /** Labels whose job throws. */
  fail?: string[];
  /** Labels whose job throws an ENOSPC write error after writing part of its output. */
  diskFull?: string[];
  /** Hang forever after this label's job has checkpointed `hangAfterEpoch` epochs, writing `hangMarker` first. */
  hangLabel?: string;
  hangAfterEpoch?: number;
  hangMarker?: string;
}

export interface FakeEvent {
  label: string;
  kind: string;
  start: number;
  end: number;
  resumedFromEpoch: number;
}

const FAMILIES: Record<string, TrainingRun['modelFacts']['family']> = { resnet8_s: 'cnn', resnet26_s: 'cnn', mobilenetv3_s: 'mobile', vit_tiny_s: 'transformer', mixer_s: 'mlp' };

/** A fixed top-1 per model and mode, so expected gains are known: USI = baseline + 0.02. */
export function fakeTop1(model: string, mode: 'usi' | 'baseline' | 'teacher'): number {
  const base = 0.8 + (model.length % 7) / 100;
  return mode === 'usi' ? base + 0.02 : mode === 'teacher' ? 0.95 : base;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class FakeRunner implements JobRunner {
  readonly events: FakeEvent[] = [];
  constructor(private readonly opts: FakeOptions = {}) {}

  private async train(job: PlannedJob, ctx: JobContext, model: string, mode: 'usi' | 'baseline' | 'teacher', epochs: number, teacher: TrainingRun['teacher'] = null): Promise<{ out: TrainingRun; resumed: number }> {
    fs.mkdirSync(ctx.outDir, { recursive: true });
    const ckpt = path.join(ctx.outDir, 'fake-checkpoint.txt');
    const done = fs.existsSync(ckpt) ? fs.readFileSync(ckpt, 'utf8').split('\n').filter(Boolean).length : 0;
    for (let e = done; e < epochs; e++) {
      await sleep(this.opts.epochMs ?? 5);
      fs.appendFileSync(ckpt, `epoch ${e + 1}\n`);
      if (job.label === this.opts.hangLabel && e + 1 === this.opts.hangAfterEpoch) {
        if (this.opts.hangMarker) fs.writeFileSync(this.opts.hangMarker, job.key);
        await new Promise(() => {});
      }
    }
    const top1 = fakeTop1(model, mode);
    const inputs = job.inputs.kind === 'bench' ? null : job.inputs;
    return {
      resumed: done,
      out: {
        model, dataset: inputs?.dataset ?? 'mnist',
        modelFacts: { name: model, family: FAMILIES[model] ?? 'cnn', params: 1000 * model.length, defaultResolution: 28 },
        datasetFacts: { name: inputs?.dataset ?? 'mnist', numClasses: 10, channels: 1, resolution: 28, classNames: [...'0123456789'] },
        resolution: 28, recipeHash: inputs?.kind === 'train' ? inputs.recipeHash : 'teacher-recipe', recipe: { alphaKd: mode === 'usi' ? 5 : 0 },
        seed: inputs?.seed ?? 0, epochs, batchSize: 16, trainLimit: null, testLimit: null,
        top1Raw: top1, top5Raw: 0.99, top1Ema: top1 - 0.001, top5Ema: 0.99, best: 'raw', top1, top5: 0.99,
        curve: Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, loss: 1 / (i + 1), lr: 0.001, top1, top1Ema: top1 })),
        wallSeconds: 0.1, modelDir: path.join(ctx.outDir, 'model'), backend: 'fake', teacher,
        environment: { host: 'test', cpuModel: 'Fake CPU', cores: 2, gpu: null, os: 'linux', versions: { node: process.versions.node } },
      },
    };
  }

  async run(job: PlannedJob, ctx: JobContext): Promise<JobOutput> {
    const start = performance.now();
    fs.mkdirSync(path.dirname(ctx.logFile), { recursive: true });
    fs.appendFileSync(ctx.logFile, `fake ${job.label}\n`);
    if (this.opts.fail?.includes(job.label)) throw new Error(`fake failure in ${job.label}`);
    if (this.opts.diskFull?.includes(job.label)) {
      fs.mkdirSync(ctx.outDir, { recursive: true });
      fs.writeFileSync(path.join(ctx.outDir, 'partial.bin'), 'half');
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${ctx.outDir}/model.bin'`), { code: 'ENOSPC' });
    }
    let output: JobOutput;
    let resumed = 0;
    const i = job.inputs;
    if (i.kind === 'teacher') {
      const r = await this.train(job, ctx, i.model ?? 'resnet26_s', 'teacher', i.epochs);
      resumed = r.resumed;
      output = { kind: 'teacher', run: r.out, allocation: null };
    } else if (i.kind === 'train') {
      const dep = i.teacherKey ? ctx.deps[i.teacherKey] : null;
      if (i.teacherKey && !dep) throw new Error('no teacher handed over');
      const r = await this.train(job, ctx, i.model, i.mode, i.epochs, dep ? { dir: dep.modelDir, model: dep.model, top1: dep.top1 } : null);
      resumed = r.resumed;
      output = { kind: 'train', run: r.out, allocation: null };
    } else {
      const dep = ctx.deps[i.trainKey];
      if (!dep) throw new Error('no trained model handed over');
      await sleep(this.opts.epochMs ?? 5);
      const ips = i.runtime === 'tfjs' ? 100 + i.model.length : 1000 + i.model.length;
      const bench: Benchmark = {
        status: 'ok', error: null, model: dep.model, params: 1000 * i.model.length, gmacs: 0.01, imagesPerSec: ips,
        runtime: i.runtime, backend: i.backend ?? 'wasm', device: 'Fake CPU (2 cores)', precision: i.precision, batchSize: i.batchSize, resolution: dep.resolution,
        stepMsMean: (1000 * i.batchSize) / ips, stepMsMedian: (1000 * i.batchSize) / ips, stepMsP90: 1, stepMsP99: 1, stepMsSd: 0.1, rme: 1, samples: 10,
        stepMsSamples: Array.from({ length: 10 }, () => (1000 * i.batchSize) / ips),
        latencyP50: 1, latencyP90: 1.2, latencyP99: 1.5, latencyMean: 1.1, latencySd: 0.1, latencyRme: 1, latencySamples: 10, noisy: false,
        modelFacts: { name: i.model, family: FAMILIES[i.model] ?? 'cnn', params: 1000 * i.model.length, gmacs: 0.01, gmacsResolution: dep.resolution, defaultResolution: 28 },
        environment: { host: 'test', cpuModel: 'Fake CPU', cores: 2, gpu: null, os: 'linux', versions: { node: process.versions.node } },
        protocol: { runtime: i.runtime, backend: i.backend ?? 'wasm', device: 'Fake CPU (2 cores)', cpuModel: 'Fake CPU', cores: 2, gpu: null, precision: i.precision, batchSize: i.batchSize, resolution: dep.resolution, threads: 1, versions: {}, gitCommit: 'test', date: new Date().toISOString() },
      };
      output = { kind: 'bench', bench, allocation: null };
    }
    this.events.push({ label: job.label, kind: job.kind, start, end: performance.now(), resumedFromEpoch: resumed });
    return output;
  }
}

export const TEST_CONFIG = {
  dataset: 'mnist',
  resolution: 28,
  trainLimit: 64,
  testLimit: 32,
  teacher: { model: 'resnet26_s', epochs: 2 },
  roster: ['resnet8_s', 'mixer_s'],
  train: { epochs: 3, batchSize: 16 },
  bench: { batchSize: 8, targets: [{ runtime: 'tfjs' as const }, { runtime: 'onnxruntime' as const, backend: 'cpu' }] },
};
