/**
 * Once per e2e run: build the production site if its build is stale, write the fixture database,
 * and start two production servers on free ports (one on the fixture, one on a database file that
 * does not exist yet, for the missing/empty states). Torn down after the last e2e test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureBuilt, freePort, startSite, type RunningSite } from '../app/lib/site-build.js';
import { ROOT } from './browser.js';
import './context.js';
import { createFixtureDb } from './fixture.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`[e2e] ${line}\n`);
  await ensureBuilt(ROOT, { quiet: true, log });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-e2e-'));
  const fixtureDb = path.join(dir, 'fixture.sqlite');
  const bareDb = path.join(dir, 'not-yet.sqlite');
  createFixtureDb(fixtureDb);
  const sites: RunningSite[] = [];
  try {
    sites.push(await startSite(ROOT, { dbFile: fixtureDb, port: await freePort(), host: '127.0.0.1', quiet: true }));
    sites.push(await startSite(ROOT, { dbFile: bareDb, port: await freePort(), host: '127.0.0.1', quiet: true }));
  } catch (err) {
    await Promise.all(sites.map((s) => s.stop()));
    throw err;
  }
  project.provide('fixtureUrl', sites[0].url);
  project.provide('bareUrl', sites[1].url);
  project.provide('bareDbFile', bareDb);
  return async () => {
    await Promise.all(sites.map((s) => s.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
