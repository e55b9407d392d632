/**
 * The code version in every job key: the engine package's version and a hash of the product
 * sources that can change a trained weight or a measured speed (training, bench, common, the
 * worker, the lockfile). The engine (packages/engine: backends, kernels, the addon) enters by its
 * version alone, which it bumps when its numbers can change, so work on a kernel does not retrain
 * the roster. Unlike the git commit the hash stays the same across commits that only touch the
 * site, docs, tests or dev scripts, and across edits to comments and layout (each source is hashed
 * as esbuild reprints it), so those don't either; it does change with uncommitted edits that matter.
 */
import { createHash } from 'node:crypto';
import { transformSync } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_DIRS = ['training', 'bench', 'common'];
const EXTRA_FILES = ['pipeline/worker.ts', 'package-lock.json'];
const ENGINE_MANIFEST = 'packages/engine/package.json';
const SOURCE = /\.(ts|mts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'build', 'fixtures', '__fixtures__', 'reference']);
/** Benchmark and check scripts a developer runs: they make no stored number. */
const SKIP_PATHS = new Set(['bench/scripts']);

function walk(root: string, dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.') && !SKIP_PATHS.has(path.relative(root, full))) walk(root, full, out);
    } else if (e.isFile() && SOURCE.test(e.name) && !/\.test\.[mc]?[jt]s$/.test(e.name) && !e.name.startsWith('_')) {
      out.push(full);
    }
  }
}

/** Files that make up the code version, relative to the repository root, sorted. */
export function codeFiles(root = ROOT): string[] {
  const files: string[] = [];
  for (const d of CODE_DIRS) walk(root, path.join(root, d), files);
  for (const f of EXTRA_FILES) if (fs.existsSync(path.join(root, f))) files.push(path.join(root, f));
  return files.map((f) => path.relative(root, f)).sort();
}

/** What of a source file is code: TypeScript and JavaScript as esbuild reprints them (no comments, one layout). */
export function codeOf(rel: string, text: string): string {
  const loader = /\.[mc]?ts$/.test(rel) ? 'ts' : /\.[mc]?js$/.test(rel) ? 'js' : null;
  if (!loader) return text;
  return transformSync(text, { loader, legalComments: 'none', target: 'esnext' }).code;
}

/** The version of packages/engine that the product runs on ('none' where it is absent). */
export function engineVersion(root = ROOT): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, ENGINE_MANIFEST), 'utf8')) as { version: string }).version;
  } catch {
    return 'none';
  }
}

export function codeVersion(root = ROOT): string {
  const h = createHash('sha256');
  h.update(`@usibench/engine@${engineVersion(root)}`).update('\0');
  for (const rel of codeFiles(root)) {
    h.update(rel).update('\0').update(codeOf(rel, fs.readFileSync(path.join(root, rel), 'utf8'))).update('\0');
  }
  return `code-${h.digest('hex').slice(0, 16)}`;
}
