import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../queries.js';
import { markFrontier } from '../queries.js';
import { csvField, EXPORT_COLUMNS, formatRows, latexEscape, parseExportFormat, type ExportFormat } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const GOLDEN = path.join(here, '__golden__');

/** Hand-made rows: a device name full of characters each format must escape, one row without a baseline. */
function row(over: Partial<ResultRow>): ResultRow {
  return {
    benchmarkId: 1, model: 'resnet_ref', family: 'cnn', params: 612_345, gmacs: 0.0412, dataset: 'mnist', profile: 'plain', mode: 'usi',
    trainingRunId: 1, top1: 0.9875, top1Sd: 0.0021, top1Ci95: 0.0052, nSeeds: 3, seeds: [0, 1, 2], top5: 0.9995, baselineTop1: 0.9801,
    usiGain: 0.0074, usiGainCi95: 0.0031, usiGainN: 3, usiGainSignificant: true, imagesPerSecCi95: 28.8, speedSource: 'measured',
    runtime: 'onnxruntime', backend: 'cpu', device: 'Xeon "Gold", 2 cores & 100%_#', precision: 'fp32', batchSize: 64, resolution: 28,
    imagesPerSec: 2342.5, stepMsMean: 27.321, latencyP50: 0.812, latencyP90: 0.9, latencyP99: 1.234, rme: 1.23, noisy: false,
    status: 'ok', error: null, recipeHash: 'a1b2c3d4', teacherModel: 'resnet_teacher', epochs: 2, gitCommit: 'abc1234',
    date: '2025-03-04T05:06:07.000Z', nightlyId: 1, onFrontier: false,
    protocol: { runtime: 'onnxruntime', backend: 'cpu', device: 'x', cpuModel: 'x', cores: 2, gpu: null, precision: 'fp32', batchSize: 64, resolution: 28, threads: 2, versions: {}, gitCommit: 'abc1234', date: '2025-03-04T05:06:07.000Z' },
    ...over,
  };
}

const ROWS = markFrontier([
  row({}),
  row({ benchmarkId: 2, model: 'mobilenet_v3_s', family: 'mobile', params: 98_000, gmacs: 0.0031, top1: 0.9712, top5: 0.999, baselineTop1: 0.9588, usiGain: 0.0124, usiGainCi95: 0.0150, usiGainSignificant: false, imagesPerSec: 9876.54, stepMsMean: 6.48, latencyP50: 0.2 }),
  row({ benchmarkId: 3, model: 'mixer_s', family: 'mlp', params: 250_000, gmacs: 0.015, top1: 0.95, top1Sd: null, top1Ci95: null, nSeeds: 1, seeds: [0], top5: 0.998, baselineTop1: null, usiGain: null, usiGainCi95: null, usiGainN: null, usiGainSignificant: null, imagesPerSec: 1500, stepMsMean: 42.667, latencyP50: 0.5, noisy: true, date: '2025-03-05T01:00:00.000Z' }),
]);

const EXT: Record<ExportFormat, string> = { csv: 'csv', md: 'md', latex: 'tex', json: 'json' };

describe('exports against golden files', () => {
  for (const format of ['csv', 'md', 'latex', 'json'] as const) {
    it(`${format} matches __golden__/rows.${EXT[format]}`, () => {
      const text = formatRows(ROWS, format);
      const file = path.join(GOLDEN, `rows.${EXT[format]}`);
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
      expect(text).toBe(fs.readFileSync(file, 'utf8'));
    });
  }
});

describe('export details', () => {
  it('marks the front: resnet (most accurate) and mobilenet (fastest); the mixer is dominated', () => {
    expect(ROWS.map((r) => r.onFrontier)).toEqual([true, true, false]);
  });

  it('CSV starts with timm column names and quotes fields per RFC 4180', () => {
    const csv = formatRows(ROWS, 'csv');
    expect(csv.split('\n')[0].split(',').slice(0, 4)).toEqual(['model', 'family', 'dataset', 'img_size']);
    for (const timm of ['top1', 'top5', 'param_count', 'infer_samples_per_sec', 'infer_step_time', 'infer_batch_size', 'infer_gmacs']) {
      expect(EXPORT_COLUMNS).toContain(timm);
    }
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    // timm units: percent, millions.
    const first = csv.split('\n')[1].split(',');
    expect(first[EXPORT_COLUMNS.indexOf('top1')]).toBe('98.750');
    expect(first[EXPORT_COLUMNS.indexOf('param_count')]).toBe('0.612');
  });

  it('escapes every LaTeX special character', () => {
    expect(latexEscape('a_b & 50% $x$ #1 {y} ~ ^ \\')).toBe('a\\_b \\& 50\\% \\$x\\$ \\#1 \\{y\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
  });

  it('JSON holds exactly the rows, in timm units', () => {
    const parsed = JSON.parse(formatRows(ROWS, 'json')) as Array<Record<string, unknown>>;
    expect(parsed).toHaveLength(3);
    expect(Object.keys(parsed[0])).toEqual([...EXPORT_COLUMNS]);
    expect(parsed[1].model).toBe('mobilenet_v3_s');
    expect(parsed[1].usi_gain).toBeCloseTo(1.24, 12);
    expect(parsed[2].baseline_top1).toBeNull();
  });

  it('rejects an unknown format with a UsageError', () => {
    expect(() => parseExportFormat('xlsx')).toThrowError(/unknown export format 'xlsx'; use one of csv, md, latex, json/);
  });
});
