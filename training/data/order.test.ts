import { describe, expect, it } from 'vitest';
import { balancedSubset, batchSlices, epochOrder } from './order.js';
import { resizeBilinearInto } from './resize.js';
import fixture from './fixtures/resize_bilinear.json' with { type: 'json' };

describe('balancedSubset', () => {
  it('takes classes round-robin in file order, independent of any seed', () => {
    // class 0 is common, class 2 rare; picks by hand: i0 (c0), i3 (c1), i6 (c2), i1, i4, i2, i5, i7
    const labels = [0, 0, 0, 1, 1, 1, 2, 0];
    expect(Array.from(balancedSubset(labels, 3, 3))).toEqual([0, 3, 6]);
    expect(Array.from(balancedSubset(labels, 3, 5))).toEqual([0, 1, 3, 4, 6]);
    // class 2 has one image: the remainder is filled from the others
    expect(Array.from(balancedSubset(labels, 3, 7))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(balancedSubset(labels, 3, 100).length).toBe(8);
  });
});

describe('epochOrder and batchSlices', () => {
  it('shuffles by seed, covers every position once, and keeps or drops the short last batch', () => {
    const a = epochOrder(10, { batchSize: 4, shuffle: true, seed: 1 });
    const b = epochOrder(10, { batchSize: 4, shuffle: true, seed: 1 });
    const c = epochOrder(10, { batchSize: 4, shuffle: true, seed: 2 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(a).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(epochOrder(3, { batchSize: 2 }))).toEqual([0, 1, 2]);
    expect([...batchSlices(a, { batchSize: 4 })].map((s) => s.length)).toEqual([4, 4, 2]);
    expect([...batchSlices(a, { batchSize: 4, dropLast: true })].map((s) => s.length)).toEqual([4, 4]);
  });
});

describe('resizeBilinearInto', () => {
  it.each(fixture.cases.map((c) => [`${c.h}x${c.w}x${c.c} -> ${c.out}`, c] as const))('matches torch bilinear (align_corners=False) for %s', (_name, c) => {
    const out = new Float32Array(c.out * c.out * c.c);
    resizeBilinearInto(Uint8Array.from(c.input), 0, c.h, c.w, c.c, c.out, out, 0);
    let maxErr = 0;
    for (let i = 0; i < out.length; i++) maxErr = Math.max(maxErr, Math.abs(out[i] - c.expected[i]));
    expect(maxErr).toBeLessThan(1e-5);
  });
});
