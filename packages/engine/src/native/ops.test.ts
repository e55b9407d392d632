/**
 * The op codes the addon and the TypeScript kernels agree on come from one table
 * (native/ops.json): both generated files are what the table makes now, and the built addon
 * reports the engine's version (compiled from the generated header), so a stale build shows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OUTPUTS, renderHeader, renderTypeScript } from '../../scripts/gen-ops.mjs';
import { registerUsibenchKernels } from '../register.js';
import * as tf from '@tensorflow/tfjs';
import { BinOp, BinOpByTfjs, UnOpByTfjs } from './ops.js';
import { nativeAddon, registerNativeBackend } from './register.js';

const root = new URL('../../', import.meta.url);
const read = (rel: string) => readFileSync(new URL(rel, root), 'utf8');

registerUsibenchKernels(tf);
const reg = await registerNativeBackend();

describe('op codes', () => {
  it('native/src/ops.h and src/native/ops.ts are what native/ops.json makes (npm run gen:ops)', () => {
    expect(read(OUTPUTS.header)).toBe(renderHeader());
    expect(read(OUTPUTS.typescript)).toBe(renderTypeScript());
  });

  it('names each tfjs kernel once', () => {
    const names = [...BinOpByTfjs, ...UnOpByTfjs].map((e) => e.tfjs);
    expect(new Set(names).size).toBe(names.length);
  });

  it('the addon package carries the engine version (one version for the package and its addon)', () => {
    const engine = JSON.parse(read('package.json')) as { version: string };
    const addon = JSON.parse(read('native/package.json')) as { version: string };
    expect(addon.version).toBe(engine.version);
    expect(renderHeader()).toContain(`#define USN_VERSION "${engine.version}"`);
  });

  it.skipIf(!process.env.USIBENCH_REQUIRE_NATIVE)('the addon is built where USIBENCH_REQUIRE_NATIVE is set (CI: the native tests must not skip)', () => {
    expect(reg.reason).toBeNull();
  });

  it.skipIf(!reg.available)('the built addon is the engine version the header names', () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(nativeAddon()!.info().version).toBe(version);
    // and computes by the table's codes: SUB is a - b, not b - a or another op
    const out = new Float32Array(2);
    nativeAddon()!.binary(BinOp.SUB, Float32Array.of(5, 7), [1], Float32Array.of(2, 3), [1], out, [2]);
    expect(Array.from(out)).toEqual([3, 4]);
  });
});
