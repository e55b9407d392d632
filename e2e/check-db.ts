/**
 * npm run check:site -- --db FILE: the chart on a database a real nightly wrote, in headless
 * Chromium, as a user opens it (`usibench serve` on a free port: it builds the site when stale).
 * For the chart's default protocol it prints how many points each view draws and how many gain
 * arrows "Both + gains" has, and says whether "Both + gains" shows every USI point, its baseline
 * and one arrow per backbone. Prints figures and a verdict; exits 1 when the verdict fails.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { ARROW_STYLES } from '../app/lib/traces.js';
import { launchChromium, ROOT } from './browser.js';

const { values } = parseArgs({ options: { db: { type: 'string' } } });
if (!values.db) {
  console.error('check:site: give the database with --db FILE (one a nightly wrote)');
  process.exit(2);
}
const db = path.resolve(values.db);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** What the chart drew after its newest render: points per variant and the gain arrows. */
async function drawn(page: Page, after: number) {
  await page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid="chart"]');
    return el?.getAttribute('data-state') === 'ready' && Number(el.getAttribute('data-renders')) > n;
  }, after, { timeout: 60_000 });
  return page.evaluate((arrowNames) => {
    const el = document.querySelector('[data-testid="chart"]')!;
    const points = JSON.parse(el.getAttribute('data-points')!) as Array<{ model: string; variant: string }>;
    const gd = el.querySelector('.js-plotly-plot') as unknown as { data: Array<{ name: string; x: unknown[] }> };
    // arrows are [baseline, usi, gap] segments
    const arrows = gd.data.filter((t) => arrowNames.includes(t.name)).reduce((a, t) => a + t.x.length / 3, 0);
    return {
      renders: Number(el.getAttribute('data-renders')),
      usi: points.filter((p) => p.variant === 'usi').map((p) => p.model),
      baseline: points.filter((p) => p.variant === 'baseline').map((p) => p.model),
      arrows,
    };
  }, Object.values(ARROW_STYLES).map((s) => s.name));
}

const port = await freePort();
const server = spawn(process.execPath, [path.join(ROOT, 'bin/usibench.js'), 'serve', '--db', db, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
const stop = () => server.kill('SIGTERM');
process.on('exit', stop);
try {
  const url = `http://127.0.0.1:${port}/`;
  // serve builds first when the build is stale: wait for it to answer
  for (let t = Date.now(); ; ) {
    if (await fetch(url).then((r) => r.ok, () => false)) break;
    if (server.exitCode !== null) throw new Error(`usibench serve exited with ${server.exitCode}`);
    if (Date.now() - t > 600_000) throw new Error('the site did not answer within 10 minutes');
    await new Promise((r) => setTimeout(r, 1000));
  }
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  await page.goto(url);
  const usi = await drawn(page, 0);
  await page.click('button[name="variant"][value="both"]');
  await page.waitForURL(/variant=both/);
  const both = await drawn(page, usi.renders);
  const selection = new URL(page.url()).searchParams;
  const selectors = await page.evaluate(() => [...document.querySelectorAll('select')].map((s) => `${s.name}=${s.value}`).join(' '));
  await browser.close();
  const models = [...new Set(both.usi)];
  const ok = both.usi.length === usi.usi.length && both.baseline.length === usi.usi.length && both.arrows === models.length;
  console.log(`check:site on ${db}`);
  console.log(`  protocol (the default view): ${selectors} (URL ${selection.toString()})`);
  console.log(`  USI view: ${usi.usi.length} points (${usi.usi.join(', ')})`);
  console.log(`  Both + gains: ${both.usi.length} USI + ${both.baseline.length} baseline = ${both.usi.length + both.baseline.length} points, ${both.arrows} arrows for ${models.length} backbones`);
  console.log(`  ${ok ? 'ok' : 'NOT ok'}: Both + gains shows twice the USI view's points and one arrow per backbone`);
  process.exitCode = ok ? 0 : 1;
} finally {
  stop();
}
