import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../common/rng.js';
import fixture from './fixtures/pil_ops.json' with { type: 'json' };
import { applyOp, equalizeLut, opArgument, RAND_INCREASING_OPS, sampleRandAugment, type OpName } from './randaugment.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const GEOMETRIC = new Set(['Rotate', 'ShearX', 'ShearY', 'TranslateXRel', 'TranslateYRel']);

describe('RandAugment ops against PIL (timm applies them through PIL)', () => {
  it.each(fixture.cases.map((c) => [`${c.op}(${c.arg}) on ${c.image}`, c] as const))('%s', (_name, c) => {
    const img = fixture.images[c.image as 'colour' | 'grey'];
    const [h, w, ch] = img.shape;
    const x = tf.tensor4d(img.data.map((v) => v / 255), [1, h, w, ch]);
    const y = applyOp(c.op as OpName, x, [c.arg]);
    const got = y.dataSync();
    tf.dispose([x, y]);
    const err = Array.from(got, (v, i) => Math.abs(v * 255 - c.expected[i]));
    if (GEOMETRIC.has(c.op)) {
      // inside the image the two bilinear samplers agree; they differ only along the one-pixel seam
      // where PIL and tfjs blend the fill in differently (large on MNIST: black digit border, grey fill)
      const seam = err.filter((e) => e > 2);
      const inner = err.filter((e) => e <= 2);
      expect(seam.length / err.length).toBeLessThan(0.06);
      expect(inner.reduce((s, e) => s + e, 0) / inner.length).toBeLessThan(0.5);
    } else {
      // PIL rounds or truncates to uint8 at each step; we keep floats
      expect(Math.max(...err)).toBeLessThanOrEqual(c.op === 'SharpnessIncreasing' || c.op === 'ColorIncreasing' ? 2.01 : 1.01);
    }
  });
});

describe('RandAugment sampling', () => {
  it("follows timm's level mappings at magnitude 7", () => {
    expect(opArgument('Rotate', 7, 1)).toBeCloseTo(21, 10);
    expect(opArgument('Rotate', 7, -1)).toBeCloseTo(-21, 10);
    expect(opArgument('PosterizeIncreasing', 7, 1)).toBe(2); // 4 - int(2.8)
    expect(opArgument('SolarizeIncreasing', 7, 1)).toBe(77); // 256 - int(179.2)
    expect(opArgument('SolarizeAdd', 7, 1)).toBe(77); // int(77.0)
    expect(opArgument('ContrastIncreasing', 7, -1)).toBeCloseTo(0.37, 10);
    expect(opArgument('ShearX', 7, 1)).toBeCloseTo(0.21, 10);
    expect(opArgument('TranslateYRel', 7, 1)).toBeCloseTo(0.315, 10);
  });

  it('applies about half the draws, uses every op, and reproduces by seed', () => {
    const cfg = { numOps: 2, magnitude: 7, magnitudeStd: 0.5 };
    const layers = sampleRandAugment(3000, cfg, new Rng(4));
    expect(layers.length).toBe(2);
    const draws = layers.flat();
    const applied = draws.filter((d) => d !== null);
    expect(applied.length / draws.length).toBeGreaterThan(0.47);
    expect(applied.length / draws.length).toBeLessThan(0.53);
    expect(new Set(applied.map((d) => d!.op)).size).toBe(RAND_INCREASING_OPS.length);
    const rot = applied.filter((d) => d!.op === 'Rotate').map((d) => Math.abs(d!.arg));
    // |angle| = 3 * magnitude, magnitude ~ N(7, 0.5)
    expect(rot.reduce((s, v) => s + v, 0) / rot.length).toBeCloseTo(21, 0);
    expect(sampleRandAugment(50, cfg, new Rng(4))).toEqual(sampleRandAugment(50, cfg, new Rng(4)));
  });

  it('equalize LUT matches a hand count', () => {
    // 4 pixels at 0, 4 at 10, 2 at 200: step = (10 - 2) // 255 = 0 -> identity (PIL returns the image)
    expect(equalizeLut([0, 0, 0, 0, 10, 10, 10, 10, 200, 200])).toBeNull();
    // 300 pixels at 0, 300 at 1, 10 at 2: step = (610 - 10) // 255 = 2; n starts at 1
    const lut = equalizeLut([...new Array(300).fill(0), ...new Array(300).fill(1), ...new Array(10).fill(2)])!;
    expect([lut[0], lut[1], lut[2], lut[3]]).toEqual([0, 150, 255, 255]);
  });
});
