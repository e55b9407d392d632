import { describe, expect, it } from 'vitest';
import { parseOrUsage } from '../../common/validate.js';
import { validateConfig } from '../config.js';
import { planJobs } from '../plan.js';
import { TEST_CONFIG } from '../__fixtures__/fake-runner.js';
import { expandIds } from './commands.js';
import { SlurmOptionsSchema, batchJobs, renderScript, type ScriptSetup } from './scripts.js';

const plan = planJobs(validateConfig(TEST_CONFIG, 'test'), 'test-code');
const options = parseOrUsage(SlurmOptionsSchema, { partition: 'gpu', account: 'vision', gpusPerJob: 1, cpusPerJob: 8, time: '12:00:00', sbatchArgs: ['--qos=high'] }, 'slurm');
const setup: ScriptSetup = {
  planId: 'p1', submission: 1, workDir: '/shared/work', slurmDir: '/shared/work/slurm/p1', cacheDir: '/shared/cache',
  node: '/usr/bin/node', cli: '/opt/usibench/bin/usibench.js', dbFile: '/home/me/usibench.sqlite', options,
};

/** The #SBATCH lines of a script. */
const directives = (text: string) => text.split('\n').filter((l) => l.startsWith('#SBATCH ')).map((l) => l.slice(8));

describe('Slurm batch scripts', () => {
  it('chains teacher, training arrays, exclusive benchmarks and the import as asked', () => {
    const batches = batchJobs(plan, true, options);
    expect(batches.map((b) => `${b.kind}${b.array ? `[${b.keys.length}]` : ''}`)).toEqual(['teacher', 'train[2]', 'train[2]', 'bench', 'bench', 'bench', 'bench', 'import']);
    const ids = ['101', '102', '103', '104', '105', '106', '107'];
    const scripts = batches.map((b, i) => renderScript(b, ids.slice(0, i), setup));
    const common = ['--partition=gpu', '--account=vision', '--time=12:00:00', '--cpus-per-task=8', '--qos=high'];

    expect(directives(scripts[0])).toEqual(['--job-name=usibench-p1-teacher', '--output=/shared/work/slurm/p1/out/%x-%j.out', '--cpus-per-task=8', '--gres=gpu:1', '--partition=gpu', '--account=vision', '--time=12:00:00', '--qos=high']);
    expect(scripts[0]).toContain(`exec /usr/bin/node /opt/usibench/bin/usibench.js job run ${plan[0].key} --work-dir /shared/work\n`);
    expect(scripts[0]).toContain('export USIBENCH_CACHE=/shared/cache\n');

    // The USI runs wait for the teacher; the baselines need none and start beside it.
    const usi = directives(scripts[1]);
    expect(usi).toEqual(expect.arrayContaining(['--array=0-1', '--gres=gpu:1', '--dependency=afterok:101', '--kill-on-invalid-dep=yes', ...common]));
    expect(batches[1].labels).toEqual(['USI resnet8_s', 'USI mixer_s']);
    expect(scripts[1]).toContain('--output=/shared/work/slurm/p1/out/%x-%A_%a.out');
    expect(scripts[1]).toContain(`KEYS=(${batches[1].keys.join(' ')})\nexec /usr/bin/node /opt/usibench/bin/usibench.js job run "\${KEYS[$SLURM_ARRAY_TASK_ID]}" --work-dir /shared/work\n`);
    expect(batches[2].labels).toEqual(['baseline resnet8_s', 'baseline mixer_s']);
    expect(directives(scripts[2]).filter((d) => d.startsWith('--dependency'))).toEqual([]);

    // Each benchmark waits for its own training task and has the node to itself.
    expect(batches.slice(3, 7).map((b) => b.labels[0])).toEqual(['bench resnet8_s tfjs fp32', 'bench resnet8_s onnxruntime/cpu fp32', 'bench mixer_s tfjs fp32', 'bench mixer_s onnxruntime/cpu fp32']);
    expect(scripts.slice(3, 7).map((s) => directives(s).find((d) => d.startsWith('--dependency')))).toEqual(['--dependency=afterok:102_0', '--dependency=afterok:102_0', '--dependency=afterok:102_1', '--dependency=afterok:102_1']);
    for (const s of scripts.slice(3, 7)) expect(directives(s)).toEqual(expect.arrayContaining(['--exclusive', '--gres=gpu:1', ...common]));

    // The import waits for everything, success or not, and asks for no GPU.
    const imp = directives(scripts[7]);
    expect(imp).toContain('--dependency=afterany:101:102:103:104:105:106:107');
    expect(imp.some((d) => d.startsWith('--gres'))).toBe(false);
    expect(scripts[7]).toContain('exec /usr/bin/node /opt/usibench/bin/usibench.js nightly --import --plan /shared/work/slurm/p1/plan.json --db /home/me/usibench.sqlite\n');
  });

  it('submits only the jobs left: with the teacher done, every training run is one array with no dependency', () => {
    const todo = plan.filter((j) => j.kind !== 'teacher' && j.label !== 'USI mixer_s' && j.label !== 'bench mixer_s tfjs fp32');
    const batches = batchJobs(todo, false, { ...options, gpusPerJob: 0 });
    expect(batches.map((b) => b.kind)).toEqual(['train', 'bench', 'bench', 'bench']);
    expect(batches[0].labels).toEqual(['USI resnet8_s', 'baseline resnet8_s', 'baseline mixer_s']);
    expect(batches[0].after).toBeNull();
    // The remaining mixer_s benchmark measures a run already done: nothing to wait for.
    const text = renderScript(batches[3], ['201', '202', '203'], setup);
    expect(directives(text).some((d) => d.startsWith('--dependency'))).toBe(false);
    expect(directives(renderScript(batches[1], ['201'], { ...setup, options: { ...options, gpusPerJob: 0 } })).some((d) => d.startsWith('--gres'))).toBe(false);
  });

  it('refuses malformed options with the field named', () => {
    expect(() => parseOrUsage(SlurmOptionsSchema, { time: '2h' }, '')).toThrow("time: must be HH:MM:SS or D-HH:MM:SS, got '2h'");
    expect(() => parseOrUsage(SlurmOptionsSchema, { sbatchArgs: ['qos=high'] }, '')).toThrow("sbatchArgs[0]: must be an sbatch option such as --qos=high, got 'qos=high'");
  });

  it("expands squeue's array ranges to one id per task", () => {
    expect(expandIds('13_[2-4,7%2]')).toEqual(['13_2', '13_3', '13_4', '13_7']);
    expect(expandIds('13_1')).toEqual(['13_1']);
    expect(expandIds('12')).toEqual(['12']);
  });
});
