/**
 * The site's one way into SQLite. The site never writes: it opens the file read-only (so it can
 * neither create a missing database nor migrate one a nightly is writing), and reports a missing,
 * empty or mismatched database as a state the pages render, never as an exception.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { DEFAULT_DB_FILE, migrationsFolder, resolveDbPath, schema, type Db } from '../../db/index.js';
import { errorMessage } from '../../common/errors.js';

export type SiteDb =
  | { ok: true; db: Db; path: string }
  | { ok: false; path: string; reason: 'missing' | 'uninitialised' | 'outdated' | 'newer' | 'unreadable'; message: string };

let cached: { path: string; ino: number; db: Db } | null = null;

function shippedMigrationCount(): number {
  const journal = JSON.parse(fs.readFileSync(`${migrationsFolder()}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

function checkSchema(client: Database.Database, file: string): SiteDb | null {
  const hasTable = client.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`).get();
  if (!hasTable) {
    return { ok: false, path: file, reason: 'uninitialised', message: `The database ${file} holds no usibench tables yet.` };
  }
  const applied = (client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
  const shipped = shippedMigrationCount();
  if (applied < shipped) {
    return {
      ok: false,
      path: file,
      reason: 'outdated',
      message: `The database ${file} uses an older schema (${applied} of ${shipped} migrations). Any usibench command that writes to it (for example the nightly) migrates it; the site only reads.`,
    };
  }
  if (applied > shipped) {
    return {
      ok: false,
      path: file,
      reason: 'newer',
      message: `The database ${file} was written by a newer usibench (${applied} migrations, this site knows ${shipped}). Update usibench (git pull && npm install).`,
    };
  }
  return null;
}

/** The database the site reads: env USIBENCH_DB, else ./usibench.sqlite, resolved once per request. */
export function siteDb(): SiteDb {
  const file = resolveDbPath();
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    cached?.db.$client.close();
    cached = null;
    return { ok: false, path: file, reason: 'missing', message: `There is no database at ${file}.` };
  }
  if (!stat.isFile()) {
    return { ok: false, path: file, reason: 'unreadable', message: `${file} is not a file; point USIBENCH_DB at a usibench SQLite database.` };
  }
  // A nightly that recreates the file gives it a new inode; an old connection would read the deleted one.
  if (cached && cached.path === file && cached.ino === stat.ino) {
    return { ok: true, db: cached.db, path: file };
  }
  cached?.db.$client.close();
  cached = null;
  let client: Database.Database;
  try {
    client = new Database(file, { readonly: true, fileMustExist: true });
    client.pragma('busy_timeout = 5000');
    const problem = checkSchema(client, file);
    if (problem) {
      client.close();
      return problem;
    }
  } catch (err) {
    return { ok: false, path: file, reason: 'unreadable', message: `Cannot read ${file} as a usibench database: ${errorMessage(err)}.` };
  }
  const db = drizzle(client, { schema }) as Db;
  cached = { path: file, ino: stat.ino, db };
  return { ok: true, db, path: file };
}

/** The command that fills the database the site reads, naming --db when it is not the default. */
export function fillCommand(file: string): string {
  if (file === resolveDbPath(DEFAULT_DB_FILE)) return 'usibench nightly --preset quick';
  const quoted = /^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
  return `usibench nightly --preset quick --db ${quoted}`;
}
