import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, migrationsFolder, openDb, resolveDbPath } from './index.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-db-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('openDb', () => {
  it('creates every table on a fresh file, in WAL mode, and reopens without re-migrating', () => {
    const file = path.join(dir, 'fresh.sqlite');
    const db = openDb(file);
    const tables = (db.$client.prepare(`SELECT name FROM sqlite_master WHERE type='table' ORDER BY name`).all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining(['models', 'datasets', 'recipes', 'teachers', 'nightly_runs', 'jobs', 'training_runs', 'benchmark_results', 'environments', 'pipeline_lock']),
    );
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    closeDb(db);
    const again = openDb(file);
    const applied = again.$client.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number };
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(applied.n).toBe(journal.entries.length);
    closeDb(again);
  });

  it('refuses a file that is not SQLite with a UsageError naming the file', () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'this is a text file, not a database\n'.repeat(200));
    expect(() => openDb(file)).toThrowError(expect.objectContaining({ name: 'UsageError', message: expect.stringContaining('not a usibench SQLite database') }));
    // Nothing was written over the user's file.
    expect(fs.readFileSync(file, 'utf8').startsWith('this is a text file')).toBe(true);
  });

  it('refuses a database with more migrations than this code ships', () => {
    const file = path.join(dir, 'newer.sqlite');
    closeDb(openDb(file));
    const raw = new Database(file);
    raw.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-the-future', Date.now() + 1e9);
    raw.close();
    expect(() => openDb(file)).toThrowError(expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(/newer schema.*upgrade usibench/) }));
  });

  it('refuses a directory as the database path', () => {
    expect(() => openDb(dir)).toThrowError(expect.objectContaining({ name: 'UsageError' }));
  });

  it('takes the file from the argument, else USIBENCH_DB, else ./usibench.sqlite', () => {
    const saved = process.env.USIBENCH_DB;
    try {
      process.env.USIBENCH_DB = path.join(dir, 'env.sqlite');
      expect(resolveDbPath('/x/explicit.sqlite')).toBe('/x/explicit.sqlite');
      expect(resolveDbPath()).toBe(path.join(dir, 'env.sqlite'));
      delete process.env.USIBENCH_DB;
      expect(resolveDbPath()).toBe(path.resolve('usibench.sqlite'));
    } finally {
      if (saved === undefined) delete process.env.USIBENCH_DB;
      else process.env.USIBENCH_DB = saved;
    }
  });
});
