import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeFiles, codeVersion } from './code-version.js';

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
});
