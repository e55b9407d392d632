import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_CONFIG } from './__fixtures__/fake-runner.js';
import { codeFiles, codeVersion } from './code-version.js';
import { validateConfig } from './config.js';
import { planJobs } from './plan.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-cv-'));
  fs.mkdirSync(path.join(root, 'training'), { recursive: true });
  fs.mkdirSync(path.join(root, 'app'), { recursive: true });
  fs.writeFileSync(path.join(root, 'training', 'train.ts'), 'export const lr = 1;\n');
  fs.writeFileSync(path.join(root, 'training', 'train.test.ts'), 'test\n');
  fs.writeFileSync(path.join(root, 'app', 'page.tsx'), 'site\n');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('codeVersion', () => {
  it('changes with training code, not with tests or the site', () => {
    const v0 = codeVersion(root);
    expect(codeFiles(root)).toEqual(['training/train.ts']);
    fs.writeFileSync(path.join(root, 'training', 'train.test.ts'), 'other test\n');
    fs.writeFileSync(path.join(root, 'app', 'page.tsx'), 'new site\n');
    expect(codeVersion(root)).toBe(v0);
    fs.writeFileSync(path.join(root, 'training', 'train.ts'), 'export const lr = 2;\n');
    expect(codeVersion(root)).not.toBe(v0);
  });

  it('ignores comments, layout and dev scripts, not a change to the code', () => {
    fs.mkdirSync(path.join(root, 'bench', 'scripts'), { recursive: true });
    const runtime = path.join(root, 'bench', 'runtime.ts');
    fs.writeFileSync(runtime, '// batch of 1\nexport const batch = 1; /* one */\nexport const s = "// not a comment";\n');
    fs.writeFileSync(path.join(root, 'bench', 'scripts', 'engine.ts'), 'console.log(1);\n');
    const v0 = codeVersion(root);
    expect(codeFiles(root)).toEqual(['bench/runtime.ts', 'training/train.ts']);
    fs.writeFileSync(runtime, '// batch of 1, as the paper\n\n  export const batch = 1; /* a single image */\nexport const s = "// not a comment"; // why\n');
    fs.writeFileSync(path.join(root, 'training', 'train.ts'), '/** the learning rate */\nexport const lr   =  1;\n');
    fs.writeFileSync(path.join(root, 'bench', 'scripts', 'engine.ts'), 'console.log(2);\n');
    expect(codeVersion(root)).toBe(v0);
    // a string that looks like a comment is code
    fs.writeFileSync(runtime, '// batch of 1\nexport const batch = 1;\nexport const s = "// changed";\n');
    expect(codeVersion(root)).not.toBe(v0);
  });

  it('takes the engine by its version: a kernel edit keeps it, a version bump changes it', () => {
    const engine = path.join(root, 'packages', 'engine');
    fs.mkdirSync(path.join(engine, 'native', 'src'), { recursive: true });
    fs.mkdirSync(path.join(engine, 'src'), { recursive: true });
    const manifest = (version: string) => fs.writeFileSync(path.join(engine, 'package.json'), JSON.stringify({ name: '@usibench/engine', version }));
    manifest('1.0.0');
    fs.writeFileSync(path.join(engine, 'native', 'src', 'kernels.cc'), 'void f(float* y) { y[0] = 2.0f; }\n');
    fs.writeFileSync(path.join(engine, 'src', 'conv.ts'), 'export const tile = 4;\n');
    const v0 = codeVersion(root);
    expect(codeFiles(root)).toEqual(['training/train.ts']);
    fs.writeFileSync(path.join(engine, 'native', 'src', 'kernels.cc'), '// blocked for L2\nvoid f(float* y) { y[0] = 2.0f; }\n');
    fs.writeFileSync(path.join(engine, 'src', 'conv.ts'), 'export const tile = 8;\n');
    expect(codeVersion(root)).toBe(v0);
    manifest('1.1.0');
    expect(codeVersion(root)).not.toBe(v0);
  });

  it('keys finished jobs by code and inputs: a recipe change reruns them, a comment in a kernel does not', () => {
    const config = validateConfig({ ...TEST_CONFIG, workDir: root }, 'test');
    const kernel = path.join(root, 'packages', 'engine', 'native', 'src', 'kernels.cc');
    fs.mkdirSync(path.dirname(kernel), { recursive: true });
    fs.writeFileSync(path.join(root, 'packages', 'engine', 'package.json'), JSON.stringify({ version: '1.0.0' }));
    fs.writeFileSync(kernel, 'void f(float* y) { y[0] = 2.0f; }\n');
    const v0 = codeVersion(root);
    fs.writeFileSync(kernel, '// sgemm, blocked for L2\nvoid f(float* y) { y[0] = 2.0f; /* doubled */ }\n');
    fs.writeFileSync(path.join(root, 'training', 'train.ts'), '// why lr is 1\nexport const lr = 1;\n');
    const keys = (c: typeof config) => planJobs(c, codeVersion(root)).map((j) => j.key);
    expect(codeVersion(root)).toBe(v0);
    expect(keys(config)).toEqual(planJobs(config, v0).map((j) => j.key));
    const changed = keys({ ...config, recipe: { lr: 1e-3 } });
    // every job trained or measured under the other recipe is new (the teacher trains without KD, with the same lr change)
    expect(changed.filter((k) => keys(config).includes(k))).toEqual([]);
  });
});
