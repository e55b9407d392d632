// npm run build:simd — compiles the C kernels in this folder to WebAssembly with clang (Debian:
// `apt-get install clang lld`). The .wasm files are committed, so that every install gets them
// without a compiler; `--check` rebuilds them and fails if a committed one differs from what its
// source compiles to (a test runs it where clang exists).
//
// The modules run on the tfjs wasm backend's memory, so a module that brought memory contents of
// its own (a data segment: constant tables, strings) would overwrite the backend's heap when it is
// instantiated. This script refuses to write such a module.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLANG_FLAGS = [
  '--target=wasm32', '-O3', '-msimd128', '-mmutable-globals', '-nostdlib', '-ffreestanding', '-fno-builtin', '-Wall', '-Wextra', '-Werror',
  // no build paths or dates in the output: the same source gives the same bytes anywhere
  '-fno-ident', '-Wl,--strip-debug',
  '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--export=__stack_pointer', '-Wl,-z,stack-size=16384',
];

/** Section ids of a wasm binary (https://webassembly.github.io/spec/core/binary/modules.html). */
function sectionIds(bytes) {
  const ids = [];
  let at = 8;
  const leb = () => {
    let result = 0, shift = 0, b;
    do { b = bytes[at++]; result |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return result >>> 0;
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    ids.push(id);
    at += size;
  }
  return ids;
}

const DATA = 11;
const check = process.argv.includes('--check');
const sources = readdirSync(here).filter((f) => f.endsWith('.c'));
let failed = false;
for (const src of sources) {
  const out = path.join(here, src.replace(/\.c$/, '.wasm'));
  const tmp = `${out}.tmp`;
  const r = spawnSync(process.env.CLANG ?? 'clang', [...CLANG_FLAGS, '-o', tmp, path.join(here, src)], { stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    console.error(`build:simd: clang failed on ${src}${r.error ? `: ${r.error.message} (install clang and lld)` : ''}`);
    failed = true;
    continue;
  }
  if (sectionIds(readFileSync(tmp)).includes(DATA)) {
    rmSync(tmp);
    console.error(`build:simd: ${src} compiled to a module with a data segment (constant tables or strings); keep constants in code`);
    failed = true;
    continue;
  }
  const rel = path.relative(process.cwd(), out);
  if (check) {
    const same = existsSync(out) && Buffer.compare(readFileSync(out), readFileSync(tmp)) === 0;
    rmSync(tmp);
    if (!same) {
      console.error(`build:simd: ${rel} is not what ${src} compiles to; run npm run build:simd and commit it`);
      failed = true;
    }
    continue;
  }
  renameSync(tmp, out);
  console.log(`build:simd: ${rel}`);
}
process.exit(failed ? 1 : 0);
