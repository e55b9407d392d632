/** The states a fresh install sees: no database file, then a database with no results. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchChromium } from './browser.js';
import './context.js';
import { createEmptyDb } from './fixture.js';

const base = inject('bareUrl');
const dbFile = inject('bareDbFile');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

it('names the command that fills a missing, then an empty, database', async () => {
  const page = await browser.newPage();
  for (const route of ['/', '/table', '/runs']) {
    const res = await page.goto(`${base}${route}`);
    expect(res?.status()).toBe(200);
    expect(await page.textContent('[data-testid="empty-state"] h1')).toBe('No database yet');
    expect(await page.textContent('[data-testid="fill-command"]')).toBe(`usibench nightly --preset quick --db ${dbFile}`);
  }
  // The site never creates the file itself: it is read-only.
  const fs = await import('node:fs');
  expect(fs.existsSync(dbFile)).toBe(false);

  createEmptyDb(dbFile);
  for (const route of ['/', '/table', '/runs']) {
    await page.goto(`${base}${route}`);
    expect(await page.textContent('[data-testid="empty-state"] h1')).toBe('No benchmark results yet');
    expect(await page.textContent('[data-testid="fill-command"]')).toContain('usibench nightly --preset quick');
  }
  const res = await page.request.get(`${base}/export?format=csv`);
  expect(res.status()).toBe(404);
  expect(await res.text()).toContain('usibench nightly --preset quick');
});
