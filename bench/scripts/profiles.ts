/**
 * npm run bench:profiles: the measured comparison that chooses the recipe profiles
 * (training/recipe/profiles.ts). Trains the smallest backbone of each family with every profile,
 * on MNIST and on CIFAR-10 (the JPEG tree), at a fixed budget and several seeds, through
 * trainModel exactly as `usibench train` does, and prints top-1 per model and profile with its 95 %
 * interval over seeds, and each profile's mean over the models. Prints figures; asserts nothing.
 *
 * The runs are the baseline recipe (no teacher): a profile is the augmentation, and the
 * comparison should not depend on which teacher, itself trained with which profile, a student
 * distils from. Each run keeps its directory under --work, so a killed comparison resumes where it
 * stopped and a second budget reuses nothing by mistake (the budget is part of the path).
 *   --datasets mnist,cifar10  --models resnet8_s,mobilenetv3_s,vit_tiny_s,mixer_s
 *   --profiles usi,light,plain  --seeds 2  --train-limit 2048  --test-limit 1000  --epochs 2
 *   --batch 64  --backend native  --data DIR (CIFAR-10 ImageFolder root)  --work DIR
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseFlags, wholeNumberFlag } from '../../common/validate.js';
import { meanInterval, type MeanInterval } from '../../db/intervals.js';
import { PROFILE_NAMES, type ProfileName } from '../../training/recipe/profiles.js';
import { readResult, trainModel } from '../../training/train.js';
import { cifarTreeCandidates, findCifarTree } from './cifar-tree.js';

const { values: raw } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'mnist,cifar10' },
    models: { type: 'string', default: 'resnet8_s,mobilenetv3_s,vit_tiny_s,mixer_s' },
    profiles: { type: 'string', default: PROFILE_NAMES.join(',') },
    seeds: { type: 'string', default: '2' },
    'train-limit': { type: 'string', default: '2048' },
    'test-limit': { type: 'string', default: '1000' },
    epochs: { type: 'string', default: '2' },
    batch: { type: 'string', default: '64' },
    backend: { type: 'string', default: 'native' },
    data: { type: 'string' },
    work: { type: 'string', default: '/tmp/usibench-profiles' },
  },
});
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const Flags = z.object({
  datasets: z.array(z.enum(['mnist', 'cifar10'], { error: 'takes mnist and/or cifar10' })).min(1),
  models: z.array(z.string().min(1)).min(1, { error: 'must name at least one model' }),
  profiles: z.array(z.enum(PROFILE_NAMES, { error: `takes ${PROFILE_NAMES.join(', ')}` })).min(1),
  seeds: wholeNumberFlag(1),
  trainLimit: wholeNumberFlag(2),
  testLimit: wholeNumberFlag(1),
  epochs: wholeNumberFlag(1),
  batch: wholeNumberFlag(2),
});
let opts: z.infer<typeof Flags>;
try {
  opts = parseFlags(Flags, {
    datasets: list(raw.datasets), models: list(raw.models), profiles: list(raw.profiles), seeds: raw.seeds,
    trainLimit: raw['train-limit'], testLimit: raw['test-limit'], epochs: raw.epochs, batch: raw.batch,
  });
} catch (err) {
  console.error(`bench:profiles: ${(err as Error).message}`);
  process.exit(2);
}

/** The dataset spec and resolution: MNIST is embedded; CIFAR-10 is the JPEG tree (ImageFolder). */
function datasetSpec(name: 'mnist' | 'cifar10'): { spec: string; resolution: number } {
  if (name === 'mnist') return { spec: 'mnist', resolution: 28 };
  const tree = findCifarTree(raw.data);
  if (tree) return { spec: `imagefolder:${tree}`, resolution: 32 };
  console.error(`bench:profiles: no CIFAR-10 ImageFolder tree at ${cifarTreeCandidates(raw.data).join(' or ')}; extract ../shared/datasets/cifar10-jpeg.tar.gz into /tmp/datasets or give --data`);
  process.exit(2);
}

interface Cell {
  top1: number[];
  seconds: number[];
}

const budget = `n${opts.trainLimit}-e${opts.epochs}-b${opts.batch}-t${opts.testLimit}`;
const total = opts.datasets.length * opts.models.length * opts.profiles.length * opts.seeds;
let done = 0;
const cells = new Map<string, Cell>();
const started = Date.now();
for (const dsName of opts.datasets) {
  const { spec, resolution } = datasetSpec(dsName);
  for (const model of opts.models) {
    for (const profile of opts.profiles) {
      const cell: Cell = { top1: [], seconds: [] };
      cells.set(`${dsName}/${model}/${profile}`, cell);
      for (let seed = 0; seed < opts.seeds; seed++) {
        const outDir = path.join(raw.work, budget, dsName, `${model}-${profile}-seed${seed}`);
        const result =
          readResult(outDir) ??
          (await trainModel({
            model, dataset: spec, teacher: 'none', epochs: opts.epochs, batchSize: opts.batch, resolution, seed, outDir,
            trainLimit: opts.trainLimit, testLimit: opts.testLimit, recipe: { profile }, quiet: true,
            backend: raw.backend as 'native',
          }));
        cell.top1.push(result.top1);
        cell.seconds.push(result.wallSeconds);
        done++;
        const elapsed = (Date.now() - started) / 1000;
        process.stderr.write(`[${done}/${total}] ${dsName} ${model} ${profile} seed ${seed}: top-1 ${(100 * result.top1).toFixed(1)} % in ${result.wallSeconds.toFixed(0)} s (${elapsed.toFixed(0)} s so far)\n`);
      }
    }
  }
}

const pct = (m: MeanInterval | null) => (m === null ? '—' : `${(100 * m.mean).toFixed(1)}${m.ci95 === null ? '' : ` ± ${(100 * m.ci95).toFixed(1)}`}`);
console.log(`\nbench:profiles: baseline recipe (no teacher), ${opts.trainLimit} training images, ${opts.epochs} epochs, batch ${opts.batch}, ` +
  `${opts.testLimit} test images, ${opts.seeds} seeds, backend ${raw.backend}; top-1 % mean ± 95 % t interval over seeds`);
for (const dsName of opts.datasets) {
  console.log(`\n| ${dsName} | ${opts.profiles.join(' | ')} |`);
  console.log(`| --- |${opts.profiles.map(() => ' ---: |').join('')}`);
  for (const model of opts.models) {
    console.log(`| ${model} | ${opts.profiles.map((p) => pct(meanInterval(cells.get(`${dsName}/${model}/${p}`)!.top1))).join(' | ')} |`);
  }
  // The profile's mean over models, seed by seed: the roster-level number a profile is chosen on.
  const overModels = (p: ProfileName) =>
    meanInterval(Array.from({ length: opts.seeds }, (_, s) => opts.models.reduce((a, m) => a + cells.get(`${dsName}/${m}/${p}`)!.top1[s], 0) / opts.models.length));
  console.log(`| mean of models | ${opts.profiles.map((p) => pct(overModels(p))).join(' | ')} |`);
  const seconds = (p: ProfileName) => opts.models.reduce((a, m) => a + cells.get(`${dsName}/${m}/${p}`)!.seconds.reduce((x, y) => x + y, 0), 0) / (opts.models.length * opts.seeds);
  console.log(`| s per run | ${opts.profiles.map((p) => seconds(p).toFixed(0)).join(' | ')} |`);
}
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; wall ${((Date.now() - started) / 1000).toFixed(0)} s`);
