/**
 * The code version in every job key: a hash of the sources that can change a trained weight or a
 * measured speed (training, bench, engine, native, common, the worker, the lockfile). Unlike the
 * git commit it stays the same across commits that only touch the site, docs, tests or dev
 * scripts, and across edits to comments and layout (each source is hashed as code, comments
 * dropped), so those don't retrain the roster; it does change with uncommitted edits that matter.
 */
import { createHash } from 'node:crypto';
import { transformSync } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_DIRS = ['training', 'bench', 'engine', 'native', 'common'];
const EXTRA_FILES = ['pipeline/worker.ts', 'package-lock.json'];
const SOURCE = /\.(ts|mts|js|mjs|cjs|cc|cpp|c|h|hpp|gyp)$/;
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

/** C and C++ source without its comments (string and character literals kept as they are). */
export function stripCComments(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 1;
      out += ' ';
    } else {
      out += c;
    }
  }
  // neither do blank lines and indentation (line breaks stay: the preprocessor reads them)
  return out.split('\n').map((l) => l.trim()).filter(Boolean).join('\n');
}

/** What of a source file is code: TypeScript and JavaScript as esbuild reprints them (no comments, one layout); C and C++ without comments. */
export function codeOf(rel: string, text: string): string {
  if (/\.(c|cc|cpp|h|hpp)$/.test(rel)) return stripCComments(text);
  const loader = /\.[mc]?ts$/.test(rel) ? 'ts' : /\.[mc]?js$/.test(rel) ? 'js' : null;
  if (!loader) return text;
  return transformSync(text, { loader, legalComments: 'none', target: 'esnext' }).code;
}

export function codeVersion(root = ROOT): string {
  const h = createHash('sha256');
  for (const rel of codeFiles(root)) {
    h.update(rel).update('\0').update(codeOf(rel, fs.readFileSync(path.join(root, rel), 'utf8'))).update('\0');
  }
  return `code-${h.digest('hex').slice(0, 16)}`;
}
