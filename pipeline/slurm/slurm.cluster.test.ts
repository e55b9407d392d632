/**
 * The nightly on a real Slurm: a single-node cluster started here (__fixtures__/cluster.ts), the
 * `usibench` command run as a user would run it. Skipped, saying why, where Slurm cannot start
 * (not root, no slurm-wlm/munge); CI runs as root with both installed, so it runs there.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../../db/index.js';
import { resultRows } from '../../db/queries.js';
import { benchmarkResults, jobs, nightlyRuns, trainingRuns } from '../../db/schema.js';
import { loadCheckpoint } from '../../training/checkpoint.js';
import { jobOutDir, jobResultFile } from '../work-dir.js';
import { NODE_NAME, PARTITION, clusterUnavailable, startCluster, type LocalCluster } from './__fixtures__/cluster.js';
import type { SubmitResult } from './submit.js';

const CLI = path.resolve(import.meta.dirname, '..', '..', 'bin', 'usibench.js');
const unavailable = clusterUnavailable();
// CI sets this: there a Slurm that cannot start is a failure, not a reason to skip.
if (unavailable && process.env.USIBENCH_REQUIRE_SLURM === '1') throw new Error(`USIBENCH_REQUIRE_SLURM=1 but ${unavailable}`);
if (unavailable) process.stderr.write(`slurm.cluster.test.ts skipped: ${unavailable}\n`);

/** The issue's small nightly: the quick preset on a few hundred MNIST images, one seed, two backbones. */
function smallConfig(workDir: string, extra: Record<string, unknown> = {}) {
  return { trainLimit: 256, testLimit: 128, seeds: 1, teacher: { model: 'resnet18_s', epochs: 1, backend: 'auto' }, roster: ['resnet8_s', 'mobilenetv3_s'], train: { epochs: 2, batchSize: 64 }, workDir, ...extra };
}

let cluster: LocalCluster;
let dir: string;

async function usibench(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; seconds: number }> {
  const t0 = performance.now();
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...cluster.env, FORCE_COLOR: '0', ...env }, maxBuffer: 64 << 20 });
    return { stdout, stderr, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`usibench ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function writeConfig(name: string, config: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

function readDb<T>(file: string, read: (db: ReturnType<typeof openDb>) => T): T {
  const db = openDb(file);
  try {
    return read(db);
  } finally {
    closeDb(db);
  }
}

function queueEmpty(): boolean {
  return cluster.run('squeue', ['--noheader']).trim() === '';
}

async function waitFor(what: string, ok: () => boolean, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe.skipIf(unavailable !== null)(`the nightly on a real single-node Slurm${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-slurm-test-'));
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const slurmDb = () => path.join(dir, 'slurm.sqlite');
  const slurmConfig = () => path.join(dir, 'slurm.json');

  it('runs the small nightly with --executor slurm --wait and gives the rows of the same config run here', async () => {
    writeConfig('slurm', smallConfig(path.join(dir, 'work-slurm')));
    const localConfig = writeConfig('local', smallConfig(path.join(dir, 'work-local')));
    // Separate caches: each run trains its own teacher, so the two do the same work.
    const onSlurm = await usibench(['nightly', '--preset', 'quick', '--config', slurmConfig(), '--db', slurmDb(), '--executor', 'slurm', '--partition', PARTITION, '--wait', '--json'], { USIBENCH_CACHE: path.join(dir, 'cache-slurm') });
    const here = await usibench(['nightly', '--preset', 'quick', '--config', localConfig, '--db', path.join(dir, 'local.sqlite'), '--jobs', '2', '--json'], { USIBENCH_CACHE: path.join(dir, 'cache-local') });
    const result = JSON.parse(onSlurm.stdout) as SubmitResult;
    const local = JSON.parse(here.stdout) as { status: string; wallSeconds: number; counts: Record<string, number> };
    expect(result.summary?.status).toBe('succeeded');
    expect(local.status).toBe('succeeded');
    expect(result.summary?.counts).toEqual(local.counts);
    process.stdout.write(
      `small quick nightly on this machine: Slurm ${result.summary!.wallSeconds.toFixed(1)} s (command ${onSlurm.seconds.toFixed(1)} s; jobs ${result.submission!.batches.map((b) => `${b.kind} ${b.id}`).join(', ')}), ` +
        `local --jobs 2 ${local.wallSeconds.toFixed(1)} s (command ${here.seconds.toFixed(1)} s)\n` +
        `import: ${JSON.stringify(result.import)}\n`,
    );

    // Row for row: models, modes, runtimes, benchmark count; top-1 within a point.
    const key = (r: { model: string; mode: string | null; runtime: string; backend: string }) => `${r.model} ${r.mode} ${r.runtime}/${r.backend}`;
    const rows = (file: string) => readDb(file, (db) => resultRows(db, { mode: 'all' }).sort((a, b) => key(a).localeCompare(key(b))));
    const [s, l] = [rows(slurmDb()), rows(path.join(dir, 'local.sqlite'))];
    expect(s.map(key)).toEqual(l.map(key));
    expect(s.length).toBe(8); // 2 backbones × (USI + baseline) × 2 runtimes: baselines sit at their USI twin's speed
    for (const [i, r] of s.entries()) expect(Math.abs(r.top1! - l[i].top1!), key(r)).toBeLessThanOrEqual(0.01);
    const maxDelta = Math.max(...s.map((r, i) => Math.abs(r.top1! - l[i].top1!)));
    process.stdout.write(`rows: ${s.length} on Slurm, ${l.length} local, same model/mode/runtime row for row; largest top-1 difference ${(100 * maxDelta).toFixed(2)} points\n`);
    const count = (file: string) => readDb(file, (db) => ({ training: db.select().from(trainingRuns).all().length, bench: db.select().from(benchmarkResults).all().length }));
    expect(count(slurmDb())).toEqual(count(path.join(dir, 'local.sqlite')));

    // Every result says where it ran: the job, the array task (training), the node, CPUs and GPUs.
    readDb(slurmDb(), (db) => {
      for (const t of db.select().from(trainingRuns).all()) {
        expect(t.allocation).toMatchObject({ scheduler: 'slurm', node: NODE_NAME, partition: PARTITION, cpus: 1, gpus: 0 });
        if (t.mode !== 'teacher') expect(t.allocation!.arrayTaskId).not.toBeNull();
      }
      // Exclusive: a benchmark holds the whole node.
      for (const b of db.select().from(benchmarkResults).all()) expect(b.allocation).toMatchObject({ scheduler: 'slurm', node: NODE_NAME, cpus: os.availableParallelism(), gpus: 0, arrayTaskId: null });
      expect(db.select().from(nightlyRuns).all().map((n) => n.status)).toEqual(['succeeded']);
    });

    // The scripts Slurm ran: what was asked of it.
    const scripts = result.submission!.batches.map((b) => ({ kind: b.kind, text: fs.readFileSync(b.script, 'utf8') }));
    expect(scripts.map((b) => b.kind)).toEqual(['teacher', 'train', 'train', 'bench', 'bench', 'bench', 'bench']);
    const teacherId = result.submission!.batches[0].id;
    expect(scripts[1].text).toContain(`#SBATCH --dependency=afterok:${teacherId}\n`);
    expect(scripts[2].text).not.toContain('--dependency');
    for (const b of scripts) expect(b.text).toContain(`#SBATCH --partition=${PARTITION}\n`);
    for (const b of scripts.filter((x) => x.kind === 'bench')) expect(b.text).toMatch(/#SBATCH --exclusive\n[\s\S]*#SBATCH --dependency=afterok:\d+_\d\n/);
    expect(queueEmpty()).toBe(true);
  });

  it('submits nothing for a finished nightly, and importing again adds nothing', async () => {
    const before = readDb(slurmDb(), (db) => ({ training: db.select().from(trainingRuns).all().length, bench: db.select().from(benchmarkResults).all().length, jobs: db.select().from(jobs).all().length }));
    const again = await usibench(['nightly', '--preset', 'quick', '--config', slurmConfig(), '--db', slurmDb(), '--executor', 'slurm', '--partition', PARTITION]);
    expect(again.stdout).toMatch(/^nothing to submit: all 9 jobs of nightly \w+ have results/);
    expect(queueEmpty()).toBe(true);
    const imported = await usibench(['nightly', '--preset', 'quick', '--config', slurmConfig(), '--db', slurmDb(), '--import']);
    expect(imported.stdout).toMatch(/: 0 result\(s\) imported, 9 already imported, 0 skipped \(done before\), 0 failed; nightly run 1 succeeded/);
    const after = readDb(slurmDb(), (db) => ({ training: db.select().from(trainingRuns).all().length, bench: db.select().from(benchmarkResults).all().length, jobs: db.select().from(jobs).all().length }));
    expect(after).toEqual(before);
  });

  it('resumes a training task cancelled mid-run from its checkpoint at the next submission: nothing lost or duplicated', async () => {
    // One backbone, no baselines, enough epochs to cancel it between two checkpoints.
    const config = writeConfig('cancel', smallConfig(path.join(dir, 'work-cancel'), { roster: ['resnet8_s'], baselines: false, trainLimit: 512, train: { epochs: 4, batchSize: 64 } }));
    const db = path.join(dir, 'cancel.sqlite');
    const env = { USIBENCH_CACHE: path.join(dir, 'cache-slurm') };
    const first = JSON.parse((await usibench(['nightly', '--preset', 'quick', '--config', config, '--db', db, '--executor', 'slurm', '--json'], env)).stdout) as SubmitResult;
    const s1 = first.submission!;
    expect(s1.batches.map((b) => b.kind)).toEqual(['teacher', 'train', 'bench', 'bench', 'import']);
    const trainKey = s1.batches[1].keys[0];
    const workDir = path.join(dir, 'work-cancel');
    // A second submission while these are queued or running is refused, naming them.
    await expect(usibench(['nightly', '--preset', 'quick', '--config', config, '--db', db, '--executor', 'slurm'], env)).rejects.toThrow(/already has Slurm jobs queued or running: \d+/);

    const checkpointed = () => fs.existsSync(path.join(jobOutDir(workDir, trainKey), 'checkpoint.bin')) && (loadCheckpoint(jobOutDir(workDir, trainKey))?.epoch ?? 0) >= 1;
    await waitFor('the training task to checkpoint its first epoch', checkpointed, 300_000, 100);
    cluster.run('scancel', [s1.jobIds[trainKey]]);
    const killedAt = loadCheckpoint(jobOutDir(workDir, trainKey))!.epoch;
    expect(killedAt).toBeLessThan(4);
    // Its benchmarks can never start and are cancelled; the import job runs after all of them.
    await waitFor('the first submission to end', queueEmpty, 120_000);
    expect(fs.existsSync(jobResultFile(workDir, trainKey))).toBe(false);
    readDb(db, (d) => {
      const night = d.select().from(nightlyRuns).all();
      expect(night.map((n) => n.status)).toEqual(['failed']);
      const byLabel = Object.fromEntries(d.select().from(jobs).all().map((j) => [j.label, j]));
      expect(byLabel['USI resnet8_s'].error).toMatch(/ended without a result/);
      expect(byLabel['bench resnet8_s tfjs fp32'].error).toBe('not run: USI resnet8_s failed');
      expect(byLabel['teacher resnet18_s'].status).toBe('succeeded');
    });

    const second = JSON.parse((await usibench(['nightly', '--preset', 'quick', '--config', config, '--db', db, '--executor', 'slurm', '--wait', '--json'], env)).stdout) as SubmitResult;
    expect(second.submission!.batches.map((b) => b.kind)).toEqual(['train', 'bench', 'bench']);
    expect(second.summary!.status).toBe('succeeded');
    expect(second.summary!.counts).toEqual({ succeeded: 3, failed: 0, skipped: 1 });
    const out = fs.readdirSync(path.join(first.slurmDir, 'out')).filter((f) => f.includes(`-train-${second.submission!.batches[0].id}_`));
    expect(out).toHaveLength(1);
    expect(fs.readFileSync(path.join(first.slurmDir, 'out', out[0]), 'utf8')).toContain(`USI resnet8_s: resuming from its checkpoint after epoch ${killedAt}`);
    readDb(db, (d) => {
      const runs = d.select().from(trainingRuns).all();
      const benches = d.select().from(benchmarkResults).all();
      expect(runs.map((r) => r.mode).sort()).toEqual(['teacher', 'usi']);
      expect(runs.find((r) => r.mode === 'usi')!.curve).toHaveLength(4);
      expect(benches.map((b) => `${b.runtime} ${b.status}`).sort()).toEqual(['onnxruntime ok', 'tfjs ok']);
      expect(d.select().from(nightlyRuns).all().map((n) => n.status)).toEqual(['failed', 'succeeded']);
    });
  });

  it('stops the daemons it started and leaves no process of its jobs behind', async () => {
    expect(await cluster.stop()).toEqual([]);
    expect(fs.existsSync(cluster.dir)).toBe(false);
  });
});
