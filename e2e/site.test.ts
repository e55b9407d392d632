/**
 * The site in headless Chromium against the production build and the hand-made fixture database
 * (e2e/fixture.ts states every expected value).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { frontStepLine } from '../app/lib/front.js';
import { ARROW_STYLES, FRONT_TRACE } from '../app/lib/traces.js';
import { meanInterval } from '../db/intervals.js';
import { ARTIFACTS, launchChromium } from './browser.js';
import { chartState } from './chart.js';
import './context.js';
import { FRONT_ORT_USI, FRONT_TFJS_USI, OVERLAPPING_MODEL, REGRESSED_MODEL, SEEDS, SPECIAL_MODEL } from './fixture.js';

const base = inject('fixtureUrl');
let browser: Browser;
let page: Page;

/** The top-1 half-width the chart must draw for a mode of the multi-seed model, a fraction as the y axis holds them. */
function overlappingCi(mode: 'usi' | 'baseline'): number {
  return meanInterval(SEEDS[OVERLAPPING_MODEL].seeds![mode])!.ci95!;
}

/** The benchmarks' timed iterations give every fixture speed a ±1.2 % interval (rme). */
const speedCi = (imagesPerSec: number) => (imagesPerSec * 1.2) / 100;

function expectedFront(models: string[], runtime: 'tfjs' | 'ort') {
  return models.map((m) => ({ x: runtime === 'tfjs' ? SEEDS[m].tfjs[1] : SEEDS[m].ort!, y: SEEDS[m].usi }));
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
});

describe('chart', () => {
  it('plots one point per newest USI result and the front through the right points', async () => {
    await page.goto(`${base}/`);
    const s = await chartState(page);
    // Default view: the newest night's protocol (tfjs/wasm), USI runs, one point per model.
    expect(page.url()).not.toContain('variant=');
    expect(s.points).toHaveLength(Object.keys(SEEDS).length);
    expect(new Set(s.points.map((p) => p.model))).toEqual(new Set(Object.keys(SEEDS)));
    for (const p of s.points) {
      expect(p.variant).toBe('usi');
      expect(p.x).toBe(SEEDS[p.model].tfjs[1]); // night 2's speed, not night 1's
      expect(p.y).toBeCloseTo(SEEDS[p.model].usi, 12);
    }
    // Marker traces hold exactly the points; the front trace is the staircase through the expected front.
    const markers = s.traces.filter((t) => t.mode.startsWith('markers'));
    expect(markers.reduce((n, t) => n + t.x.length, 0)).toBe(s.points.length);
    expect(markers.map((t) => t.name).sort()).toEqual(['CNN', 'MLP-only', 'Mobile-oriented', 'Transformer']);
    expect(s.front.map((f) => f.model).sort()).toEqual([...FRONT_TFJS_USI].sort());
    const frontTrace = s.traces.find((t) => t.name === FRONT_TRACE)!;
    const step = frontStepLine(expectedFront(FRONT_TFJS_USI, 'tfjs'));
    expect(frontTrace.x).toEqual(step.x);
    expect(frontTrace.y).toEqual(step.y);
    expect(await page.textContent('[data-testid="chart-caption"]')).toContain('Pareto front is computed on the means');
    await page.screenshot({ path: path.join(ARTIFACTS, 'chart.png'), fullPage: true });
  });

  it('draws top-1 error bars where there are several seeds, and every speed spread', async () => {
    await page.goto(`${base}/`);
    const s = await chartState(page);
    const cnn = s.traces.find((t) => t.name === 'CNN')!;
    const at = cnn.customdata!.findIndex((d) => d[0] === OVERLAPPING_MODEL);
    expect(cnn.errorY![at]).toBeCloseTo(overlappingCi('usi'), 12);
    // one seed: no bar (NaN, which Plotly leaves undrawn)
    expect(cnn.errorY!.filter((_, i) => i !== at).every((v) => Number.isNaN(v))).toBe(true);
    expect(cnn.errorX).toEqual(cnn.x.map((x) => speedCi(x!)));
    // other families have one seed each: no top-1 bar layer at all
    expect(s.traces.filter((t) => t.mode.startsWith('markers') && t.name !== 'CNN').every((t) => t.errorY === undefined)).toBe(true);
    expect(s.drawnBars).toEqual({ top1: 1, speed: Object.keys(SEEDS).length });
    expect(cnn.customdata![at][3]).toBe('97.6 ± 1.3 % (n=2)');
    expect(cnn.customdata![at][4]).toBe('700 ± 8');
    expect(cnn.customdata![at][6]).toContain('n.s.');
    const other = cnn.customdata!.find((d) => d[0] === 'resnet_m')!;
    expect(other[3]).toBe('98.80 % (n=1)');
    expect(other[6]).toContain('n=1, no interval');
  });

  it('a filter change updates the URL and the points', async () => {
    await page.goto(`${base}/`);
    const before = await chartState(page);
    await page.selectOption('select[name="runtime"]', 'onnxruntime');
    await page.waitForURL(/runtime=onnxruntime/);
    // The backend follows: onnxruntime was only measured on its cpu provider.
    expect(page.url()).toContain('backend=cpu');
    const after = await chartState(page, before.renders - 1);
    const ortModels = Object.keys(SEEDS).filter((m) => SEEDS[m].ort !== null);
    expect(after.points.map((p) => p.model).sort()).toEqual(ortModels.sort());
    expect(after.front.map((f) => f.model).sort()).toEqual([...FRONT_ORT_USI].sort());
    const frontTrace = after.traces.find((t) => t.name === FRONT_TRACE)!;
    expect(frontTrace.x).toEqual(frontStepLine(expectedFront(FRONT_ORT_USI, 'ort')).x);
    // The shared URL reproduces the view.
    const shared = await browser.newPage();
    await shared.goto(page.url());
    expect((await chartState(shared)).points).toHaveLength(ortModels.length);
    await shared.close();
  });

  it('shows baseline and USI with one gain arrow per backbone', async () => {
    await page.goto(`${base}/`);
    const first = await chartState(page);
    // The page holds both variants' points: the toggle is answered without asking the server.
    const requests: string[] = [];
    const onRequest = (r: { url(): string }) => requests.push(r.url());
    page.on('request', onRequest);
    await page.click('button[name="variant"][value="both"]');
    await page.waitForURL(/variant=both/);
    const s = await chartState(page, first.renders);
    page.off('request', onRequest);
    // (The table link's prefetch follows the new URL; the chart page itself is not fetched again.)
    expect(requests.filter((u) => new URL(u).pathname === '/' && new URL(u).searchParams.has('variant'))).toEqual([]);
    const n = Object.keys(SEEDS).length;
    expect(s.points.filter((p) => p.variant === 'usi')).toHaveLength(n);
    expect(s.points.filter((p) => p.variant === 'baseline')).toHaveLength(n);
    // Segments are [baseline, usi, gap]; every fixture model has both runs, one arrow each, the
    // multi-seed model's (a gain within noise) apart from the rest.
    const plain = s.traces.find((t) => t.name === ARROW_STYLES.plain.name)!;
    const ns = s.traces.find((t) => t.name === ARROW_STYLES.ns.name)!;
    expect(plain.x).toHaveLength(3 * (n - 1));
    expect(ns.x).toHaveLength(3);
    for (const arrows of [plain, ns]) {
      for (let i = 0; i < arrows.x.length / 3; i++) {
        const model = Object.keys(SEEDS).find((m) => Math.abs(SEEDS[m].usi - (arrows.y[3 * i + 1] as number)) < 1e-12 && SEEDS[m].tfjs[1] === arrows.x[3 * i + 1])!;
        expect(arrows.y[3 * i]).toBeCloseTo(SEEDS[model].baseline, 12);
        expect(model === OVERLAPPING_MODEL).toBe(arrows === ns);
      }
    }
    expect(ns.line?.dash).toBe('dot');
    expect(ns.opacity).toBeLessThan(plain.opacity ?? 1);
    // each arrow hovers at its middle, saying what its interval says
    const hover = (style: keyof typeof ARROW_STYLES) => s.traces.find((t) => t.name === `${ARROW_STYLES[style].name}: hover`)!.text!;
    expect(hover('ns')).toEqual([`<b>${OVERLAPPING_MODEL}</b><br>USI gain +0.6 ± 2.5 points, n.s. (95% interval contains 0)`]);
    expect(hover('plain')).toHaveLength(n - 1);
    expect(hover('plain').every((t) => t.includes('n=1, no interval'))).toBe(true);
    // Every fixture arrow is long enough for a head; the heads are a path per style beside the traces.
    const heads = await page.$$eval('[data-testid="chart"] path.arrowheads', (ps) => Object.fromEntries(ps.map((p) => [p.getAttribute('data-style'), Number(p.getAttribute('data-heads'))])));
    expect(heads).toEqual({ plain: n - 1, ns: 1 });
    expect(await page.getAttribute('[data-testid="chart"] path.arrowheads[data-style="ns"]', 'fill')).toBe(ARROW_STYLES.ns.headFill);
    // Both of the multi-seed model's points have their top-1 bar; its baseline says where its speed is from.
    expect(s.drawnBars.top1).toBe(2);
    const cnnBaseline = s.traces.find((t) => t.name === 'CNN (baseline)')!;
    const at = cnnBaseline.customdata!.findIndex((d) => d[0] === OVERLAPPING_MODEL);
    expect(cnnBaseline.errorY![at]).toBeCloseTo(overlappingCi('baseline'), 12);
    expect(cnnBaseline.customdata![at][5]).toContain("USI twin's measured speed");
    expect(cnnBaseline.customdata!.filter((_, i) => i !== at).every((d) => d[5] === '')).toBe(true);
    expect(await page.textContent('[data-testid="chart-caption"]')).toContain('not significant');
    await page.screenshot({ path: path.join(ARTIFACTS, 'chart-gains.png'), fullPage: true });
    // The URL names the view: the table link follows it, a fresh visit shows it, Back undoes it.
    expect(await page.getAttribute('a[href^="/table?"]', 'href')).toContain('variant=both');
    const shared = await browser.newPage();
    await shared.goto(page.url());
    expect((await chartState(shared)).points).toHaveLength(2 * n);
    await shared.close();
    await page.goBack();
    await page.waitForURL((u) => !u.search.includes('variant='));
    const back = await chartState(page, s.renders);
    expect(back.points).toHaveLength(n);
    expect(await page.locator('[data-testid="chart"] path.arrowheads').count()).toBe(0);
    expect(back.front.map((f) => f.model).sort()).toEqual([...FRONT_TFJS_USI].sort());
    expect(await page.getAttribute('button[name="variant"][value="usi"]', 'aria-pressed')).toBe('true');
  });

  it('shows the baseline runs alone with their own front', async () => {
    await page.goto(`${base}/?variant=baseline`);
    const s = await chartState(page);
    expect(s.points.map((p) => p.variant)).toEqual(Object.keys(SEEDS).map(() => 'baseline'));
    for (const p of s.points) expect(p.y).toBeCloseTo(SEEDS[p.model].baseline, 12);
    // Worked out from SEEDS' baselines at night 2's tfjs speeds: resnet_m .984@400, levit_s .979@1200,
    // mobilenet_v3 .962@2500, tiny_mobile .94@4000 beat the rest.
    expect(s.front.map((f) => f.model).sort()).toEqual(['levit_s', 'mobilenet_v3', 'resnet_m', 'tiny_mobile']);
  });

  it('replaces unknown URL values with a message instead of failing', async () => {
    const res = await page.goto(`${base}/?dataset=imagenet&batch=abc&variant=%3Cscript%3E`);
    expect(res?.status()).toBe(200);
    const notice = await page.textContent('[data-testid="notices"]');
    expect(notice).toContain('“imagenet” is not in the database');
    expect(notice).toContain('“abc”');
    expect(notice).toContain('“<script>”');
    expect((await chartState(page)).points).toHaveLength(Object.keys(SEEDS).length);
  });
});

describe('table', () => {
  it('lists the same rows, marks the front, and sorts by a column', async () => {
    await page.goto(`${base}/table`);
    const rows = await page.$$eval('[data-testid="results-table"] tbody tr', (trs) => trs.map((tr) => ({ model: tr.getAttribute('data-model')!, front: tr.getAttribute('data-front') === 'true' })));
    expect(rows.map((r) => r.model).sort()).toEqual(Object.keys(SEEDS).sort());
    expect(rows.filter((r) => r.front).map((r) => r.model).sort()).toEqual([...FRONT_TFJS_USI].sort());
    // Default: fastest first.
    expect(rows.map((r) => r.model)).toEqual(Object.keys(SEEDS).sort((a, b) => SEEDS[b].tfjs[1] - SEEDS[a].tfjs[1]));
    await page.screenshot({ path: path.join(ARTIFACTS, 'table.png'), fullPage: true });
    await page.click('th >> text=Top-1');
    await page.waitForURL(/sort=top1/);
    const byTop1 = await page.$$eval('[data-testid="results-table"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-model')!));
    expect(byTop1).toEqual(Object.keys(SEEDS).sort((a, b) => SEEDS[b].usi - SEEDS[a].usi));
  });

  it('downloads exactly the rows shown, in the order shown', async () => {
    await page.goto(`${base}/table?sort=model&dir=asc`);
    const shown = await page.$$eval('[data-testid="results-table"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-model')!));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[data-format="csv"]')]);
    expect(download.suggestedFilename()).toMatch(/^usibench-mnist-tfjs-wasm-fp32-b32-r28-usi\.csv$/);
    const file = path.join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(file);
    const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(shown.length + 1);
    // Every row names its model; the special name is quoted as CSV requires.
    shown.forEach((model, i) => {
      const expected = model === SPECIAL_MODEL ? `"${model.replace(/"/g, '""')}"` : model;
      expect(lines[i + 1]).toContain(expected);
    });
    const href = async (f: string) => (await page.getAttribute(`a[data-format="${f}"]`, 'href'))!;
    const json = (await page.evaluate(async (u) => (await fetch(u)).json(), await href('json'))) as Array<{ model: string; frontier: boolean; infer_samples_per_sec: number }>;
    expect(json.map((r) => r.model)).toEqual(shown);
    expect(json.filter((r) => r.frontier).map((r) => r.model).sort()).toEqual([...FRONT_TFJS_USI].sort());
    expect(json.find((r) => r.model === 'levit_s')!.infer_samples_per_sec).toBe(SEEDS.levit_s.tfjs[1]);
    const text = (f: string) => href(f).then((u) => page.evaluate(async (v) => (await fetch(v)).text(), u));
    const md = await text('md');
    // Header, separator, then one table line per row in the table's order (front rows end in ★).
    const mdModels = md.split('\n').filter((l) => l.startsWith('|')).slice(2).map((l) => l.split('|')[1].trim().replace(/ ★$/, ''));
    expect(mdModels).toEqual(shown);
    const latex = await text('latex');
    expect(latex).toContain('\\begin{tabular}');
    expect(latex).toContain('resnet\\_m');
  });

  it('refuses an unknown export format with a clear message', async () => {
    const res = await page.request.get(`${base}/export?format=xlsx`);
    expect(res.status()).toBe(400);
    expect(await res.text()).toContain('Unknown export format “xlsx”');
  });
});

describe('model and runs pages', () => {
  it('opens a model with special characters in its name from the table', async () => {
    await page.goto(`${base}/table`);
    await page.click(`a[href="/models/${encodeURIComponent(SPECIAL_MODEL)}"]`);
    await page.waitForSelector('[data-testid="model-name"]');
    expect(await page.textContent('[data-testid="model-name"]')).toBe(SPECIAL_MODEL);
    await page.waitForSelector('[data-testid="training-curves"] .js-plotly-plot');
    expect(await page.textContent('[data-testid="protocol"]')).toContain('f1x7ure');
  });

  it('flags the speed regression between the nights', async () => {
    await page.goto(`${base}/models/${REGRESSED_MODEL}`);
    expect(await page.textContent('[data-testid="regression-summary"]')).toMatch(/^2 speed regression/); // usi and baseline series
    const flagged = await page.$$eval('[data-testid="history-table"] tr[data-regression="true"]', (trs) => trs.map((tr) => tr.textContent));
    expect(flagged).toHaveLength(2);
    expect(flagged[0]).toContain('-20.0%');
    await page.goto(`${base}/models/resnet_m`);
    expect(await page.textContent('[data-testid="regression-summary"]')).toMatch(/^No lasting slow-down of 10% or more/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'model.png'), fullPage: true });
  });

  it('answers an unknown model with a 404 page and no stack trace', async () => {
    const res = await page.goto(`${base}/models/${encodeURIComponent('no such/model%')}`);
    expect(res?.status()).toBe(404);
    expect(await page.textContent('[data-testid="not-found"]')).toContain('Not found');
    expect(await page.content()).not.toMatch(/at [\w.]+ \(.*:\d+:\d+\)/);
  });

  it('lists the nightly runs with status, wall time and jobs', async () => {
    await page.goto(`${base}/runs`);
    const rows = await page.$$eval('[data-testid="runs-table"] tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
    expect(rows).toHaveLength(2);
    // per single-seed model a training and a tfjs job per mode, five of them on onnxruntime too; the
    // two-seed model trains both modes at both seeds and benchmarks one run
    const jobs = (Object.keys(SEEDS).length - 1) * 2 * 2 + 5 * 2 + (2 * 2 + 1);
    expect(rows[0].slice(0, 5)).toEqual(['#2', '2025-06-02 02:00', 'succeeded', '47 min 0 s', String(jobs)]);
    expect(rows[1][2]).toBe('failed');
    expect(rows[1][6]).toBe('1');
  });
});
