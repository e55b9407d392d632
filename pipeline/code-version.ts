/**
 * The code version in every job key: a hash of the sources that can change a trained weight or a
 * measured speed (training, bench, engine, native, common, the worker, the lockfile). Unlike the
 * git commit it stays the same across commits that only touch the site, docs or tests, so those
 * don't retrain the roster, and it does change with uncommitted edits that matter.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_DIRS = ['training', 'bench', 'engine', 'native', 'common'];
const EXTRA_FILES = ['pipeline/worker.ts', 'package-lock.json'];
const SOURCE = /\.(ts|mts|js|mjs|cjs|cc|cpp|c|h|hpp|gyp)$/;
const SKIP_DIRS = new Set(['node_modules', 'build', 'fixtures', '__fixtures__', 'reference']);

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(full, out);
    } else if (e.isFile() && SOURCE.test(e.name) && !/\.test\.[mc]?[jt]s$/.test(e.name) && !e.name.startsWith('_')) {
      out.push(full);
    }
  }
}

/** Files that make up the code version, relative to the repository root, sorted. */
export function codeFiles(root = ROOT): string[] {
  const files: string[] = [];
  for (const d of CODE_DIRS) walk(path.join(root, d), files);
  for (const f of EXTRA_FILES) if (fs.existsSync(path.join(root, f))) files.push(path.join(root, f));
  return files.map((f) => path.relative(root, f)).sort();
}

export function codeVersion(root = ROOT): string {
  const h = createHash('sha256');
  for (const rel of codeFiles(root)) {
    h.update(rel).update('\0').update(fs.readFileSync(path.join(root, rel))).update('\0');
  }
  return `code-${h.digest('hex').slice(0, 16)}`;
}
