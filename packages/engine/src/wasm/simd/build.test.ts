/**
 * The committed .wasm kernels are what their C source compiles to: an edit to winograd.c that was
 * not rebuilt (or a binary edited by hand) fails here. Needs clang and lld (.ci/run installs them).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const hasClang = !spawnSync(process.env.CLANG ?? 'clang', ['--version']).error;

describe.skipIf(!hasClang)('src/wasm/simd', () => {
  it('each committed .wasm is its C source compiled, with no data segment', () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('./build.mjs', import.meta.url)), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);
});
