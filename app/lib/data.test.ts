import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../../db/index.js';
import { createLoadDb } from '../../e2e/fixture.js';
import { fillCommand, siteDb } from './data.js';
import { loadChartView } from './view.js';

let dir: string;
const saved = process.env.USIBENCH_DB;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-sitedb-'));
});
afterAll(() => {
  if (saved === undefined) delete process.env.USIBENCH_DB;
  else process.env.USIBENCH_DB = saved;
  fs.rmSync(dir, { recursive: true, force: true });
});

function at(name: string) {
  const file = path.join(dir, name);
  process.env.USIBENCH_DB = file;
  return file;
}

describe('siteDb', () => {
  it('reports a missing file without creating it', () => {
    const file = at('missing.sqlite');
    const s = siteDb();
    expect(s).toMatchObject({ ok: false, reason: 'missing', path: file });
    expect(fs.existsSync(file)).toBe(false);
  });

  it('reports a file that is not SQLite as unreadable, with its path', () => {
    const file = at('garbage.sqlite');
    fs.writeFileSync(file, 'this is not a database, just some text that is long enough to have a header');
    const s = siteDb();
    expect(s).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(!s.ok && s.message).toContain(file);
  });

  it('reports an empty SQLite file as holding no tables', () => {
    const file = at('blank.sqlite');
    fs.writeFileSync(file, '');
    expect(siteDb()).toMatchObject({ ok: false, reason: 'uninitialised' });
  });

  it('opens a migrated database read-only', () => {
    const file = at('real.sqlite');
    closeDb(openDb(file));
    const s = siteDb();
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(() => s.db.$client.exec('CREATE TABLE x (a)')).toThrow(/readonly/);
    // Same file, same inode: the connection is reused.
    const again = siteDb();
    expect(again.ok && again.db).toBe(s.db);
  });
});

describe('loadChartView', () => {
  it('keeps what it read until another connection changes the database', () => {
    const file = at('load.sqlite');
    createLoadDb(file, 4); // 4 backbones × USI and baseline
    const first = loadChartView({});
    const again = loadChartView({ variant: 'both' });
    if (first.kind !== 'ok' || again.kind !== 'ok') throw new Error(`expected a view, got ${first.kind}`);
    expect(first.points.id).toHaveLength(8);
    // The same selection (the variant is answered in the browser): the points were not read again.
    expect(again.points).toBe(first.points);
    expect(again.options).toBe(first.options);

    const writer = openDb(file);
    try {
      writer.$client.prepare('DELETE FROM benchmark_results WHERE id = (SELECT max(id) FROM benchmark_results)').run();
    } finally {
      closeDb(writer);
    }
    const after = loadChartView({});
    if (after.kind !== 'ok') throw new Error(`expected a view, got ${after.kind}`);
    // the newest backbone's benchmark is gone: its USI point and its baseline's (placed at that speed) go
    expect(after.points.id).toHaveLength(6);
  });
});

describe('fillCommand', () => {
  it('names --db only for a non-default file, quoted when it needs to be', () => {
    expect(fillCommand(path.resolve('usibench.sqlite'))).toBe('usibench nightly --preset quick');
    expect(fillCommand('/data/r.sqlite')).toBe('usibench nightly --preset quick --db /data/r.sqlite');
    expect(fillCommand("/my data/it's.sqlite")).toBe(`usibench nightly --preset quick --db '/my data/it'\\''s.sqlite'`);
  });
});
