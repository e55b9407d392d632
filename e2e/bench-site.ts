/**
 * npm run bench:site — how long the chart page takes to become interactive with 2,000 benchmark
 * rows in the database (1,000 backbones × USI and baseline, one protocol), in headless Chromium
 * against the production build. Two views: the default (USI, 1,000 points) and USI + baseline with
 * gain arrows (2,000 points). Each try is a first visit in a fresh browser context (empty HTTP
 * cache); "interactive" is the plotted chart plus the answer to a click on a selector (the URL and
 * the chart updated). Target: under 2 s. Prints the machine's load, which the figures depend on.
 * `npm run bench:site -- --tries 1` for a quick look.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureBuilt, freePort, startSite } from '../app/lib/site-build.js';
import { median } from '../bench/stats.js';
import { launchChromium, ROOT } from './browser.js';
import { createLoadDb } from './fixture.js';

/** `--tries N` (default 3): first visits per view; fewer for a quick look while iterating. */
function triesArg(argv: string[]): number {
  const i = argv.indexOf('--tries');
  if (i === -1) return 3;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--tries takes a whole number of tries, at least 1 (got ${argv[i + 1] ?? 'nothing'})`);
  return n;
}

async function renders(page: Page): Promise<number> {
  return Number(await page.getAttribute('[data-testid="chart"]', 'data-renders'));
}

async function waitRendered(page: Page, after: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const el = document.querySelector('[data-testid="chart"]');
      return el?.getAttribute('data-state') === 'ready' && Number(el.getAttribute('data-renders')) > n;
    },
    after,
    { timeout: 60_000, polling: 'raf' },
  );
}

/** One first visit of `url`; the selector clicked is the training toggle, to `toggleTo`. */
async function once(browser: Browser, url: string, toggleTo: 'usi' | 'both'): Promise<{ plotted: number; interactive: number; points: number; draws: number[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await waitRendered(page, 0);
  const plotted = performance.now() - t0;
  const points = Number(await page.getAttribute('[data-testid="chart"]', 'data-point-count'));
  // A selector responds: switch the training toggle and wait for the URL and the new chart.
  const before = await renders(page);
  await page.click(`button[name="variant"][value="${toggleTo}"]`);
  await page.waitForURL((u) => (toggleTo === 'usi' ? !u.search.includes('variant=') : u.search.includes('variant=both')), { timeout: 60_000 });
  await waitRendered(page, before);
  const interactive = performance.now() - t0;
  // Plot.tsx measures each Plotly draw: the first one and the one answering the toggle.
  const draws = await page.evaluate(() => performance.getEntriesByName('plotly.react').map((e) => e.duration / 1000));
  await context.close();
  return { plotted: plotted / 1000, interactive: interactive / 1000, points, draws };
}

async function main(): Promise<void> {
  const TRIES = triesArg(process.argv.slice(2));
  await ensureBuilt(ROOT, { log: (l) => console.error(`bench:site: ${l}`) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-bench-site-'));
  const dbFile = path.join(dir, 'load.sqlite');
  const rows = createLoadDb(dbFile, 1000);
  const site = await startSite(ROOT, { dbFile, port: await freePort(), host: '127.0.0.1', quiet: true });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    await once(browser, `${site.url}/`, 'both'); // first request after start: server-side caches, DB open
    console.log(`bench:site  ${rows} benchmark rows in the database; each try a first visit in a fresh browser context`);
    const views = [
      { name: 'default view (USI)', url: `${site.url}/`, toggleTo: 'both' as const },
      { name: 'USI + baseline + gain arrows', url: `${site.url}/?variant=both`, toggleTo: 'usi' as const },
    ];
    let worst = 0;
    for (const v of views) {
      const results: Array<Awaited<ReturnType<typeof once>>> = [];
      for (let i = 0; i < TRIES; i++) results.push(await once(browser, v.url, v.toggleTo));
      const plotted = results.map((r) => r.plotted);
      const interactive = results.map((r) => r.interactive);
      worst = Math.max(worst, median(interactive));
      console.log(
        `  ${v.name}, ${results[0].points} points: plotted median ${median(plotted).toFixed(2)} s (max ${Math.max(...plotted).toFixed(2)}), ` +
          `interactive (plot + a selector answered) median ${median(interactive).toFixed(2)} s (max ${Math.max(...interactive).toFixed(2)})`,
      );
      const draw = (i: number) => median(results.map((r) => r.draws[i] ?? NaN)).toFixed(2);
      console.log(`    of which Plotly drawing (median): first plot ${draw(0)} s, after the toggle ${draw(results[0].draws.length - 1)} s`);
    }
    console.log(`  target: interactive < 2 s -> ${worst < 2 ? 'met' : 'NOT met'} (load average now ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
  } finally {
    await browser?.close();
    await site.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:site: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
