/**
 * npm run check:site -- --db FILE: the site on a database a real nightly wrote, in headless
 * Chromium, as a user opens it (`usibench serve` on a free port: it builds the site when stale).
 * For every runtime the database holds, it opens each view of the chart (USI, baseline, both with
 * gains), prints how many points each draws and how many gain arrows "Both + gains" has, then
 * opens the table page; screenshots go to artifacts/e2e. Says whether each view shows every
 * backbone and "Both + gains" one arrow per backbone; exits 1 when not.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ARROW_STYLES } from '../app/lib/traces.js';
import fs from 'node:fs';
import { ARTIFACTS, launchChromium, ROOT } from './browser.js';
import { chartState } from './chart.js';

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

/** Points per variant and gain arrows (a trace of [baseline, usi, gap] segments) of a chart state. */
function counts(state: Awaited<ReturnType<typeof chartState>>) {
  const arrowNames = Object.values(ARROW_STYLES).map((a) => a.name);
  return {
    usi: state.points.filter((p) => p.variant === 'usi').map((p) => p.model),
    baseline: state.points.filter((p) => p.variant === 'baseline').map((p) => p.model),
    arrows: state.traces.filter((t) => arrowNames.includes(t.name)).reduce((a, t) => a + t.x.length / 3, 0),
    bars: state.drawnBars.top1,
  };
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
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  let ok = true;
  console.log(`check:site on ${db}`);
  // every runtime the database holds, each in every view: USI, baseline, both with gains
  await page.goto(url);
  const runtimes = await page.evaluate(() => [...document.querySelectorAll('select[name="runtime"] option')].map((o) => (o as HTMLOptionElement).value));
  for (const runtime of runtimes) {
    await page.goto(url);
    let state = await chartState(page);
    if ((await page.inputValue('select[name="runtime"]')) !== runtime) {
      await page.selectOption('select[name="runtime"]', runtime);
      state = await chartState(page, state.renders);
    }
    const views: Record<string, ReturnType<typeof counts>> = {};
    for (const variant of ['usi', 'baseline', 'both'] as const) {
      if (variant !== 'usi') {
        await page.click(`button[name="variant"][value="${variant}"]`);
        await page.waitForURL(new RegExp(`variant=${variant}`));
        state = await chartState(page, state.renders);
      }
      views[variant] = counts(state);
      await page.screenshot({ path: path.join(ARTIFACTS, `check-site-${runtime}-${variant}.png`) });
    }
    const selectors = await page.evaluate(() => [...document.querySelectorAll('select')].map((s) => `${s.name}=${s.value}`).join(' '));
    const { usi, baseline, both } = views;
    const models = new Set(both.usi).size;
    const fine = baseline.baseline.length === usi.usi.length && both.usi.length === usi.usi.length && both.baseline.length === usi.usi.length && both.arrows === models;
    ok &&= fine;
    console.log(`  ${selectors}`);
    console.log(`    USI view: ${usi.usi.length} points (${usi.usi.join(', ')}), ${usi.bars} top-1 error bars drawn`);
    console.log(`    Baseline view: ${baseline.baseline.length} points (${baseline.baseline.join(', ')})`);
    console.log(`    Both + gains: ${both.usi.length} USI + ${both.baseline.length} baseline = ${both.usi.length + both.baseline.length} points, ${both.arrows} arrows for ${models} backbones`);
    console.log(`    ${fine ? 'ok' : 'NOT ok'}: every backbone in each view, Both + gains twice the USI view's points with one arrow per backbone`);
  }
  await page.goto(`http://127.0.0.1:${port}/table`);
  const tableRows = await page.locator('table tbody tr').count();
  await page.screenshot({ path: path.join(ARTIFACTS, 'check-site-table.png'), fullPage: true });
  console.log(`  table page: ${tableRows} rows; screenshots in ${ARTIFACTS}`);
  await browser.close();
  process.exitCode = ok ? 0 : 1;
} finally {
  stop();
}
