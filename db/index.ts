/**
 * Opening the results database: one SQLite file, migrated to the schema this code ships with on
 * every open, in WAL mode so the site can read while a nightly writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { UsageError, errorMessage } from '../common/errors.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export { schema };

export const DEFAULT_DB_FILE = 'usibench.sqlite';

/** The database file: the explicit one (--db), else env USIBENCH_DB, else ./usibench.sqlite. */
export function resolveDbPath(file?: string): string {
  const chosen = file || process.env.USIBENCH_DB || DEFAULT_DB_FILE;
  return path.resolve(chosen);
}

/** The shipped migrations; falls back to the working directory when bundled (Next.js) code has no real file URL. */
export function migrationsFolder(): string {
  const candidates: string[] = [];
  try {
    candidates.push(path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'));
  } catch {
    // import.meta.url is not a file: URL inside some bundlers
  }
  candidates.push(path.resolve('db', 'migrations'));
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'meta', '_journal.json')));
  if (!found) throw new Error(`cannot find the database migrations (looked in ${candidates.join(', ')})`);
  return found;
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

function shippedMigrations(folder: string): JournalEntry[] {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return journal.entries;
}

function sqliteCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/**
 * Refuses a database that has migrations this code does not know: applying ours on top, or
 * reading it with our queries, would misread or damage a newer usibench's data.
 */
function checkNotNewer(client: Database.Database, file: string, shipped: JournalEntry[]): void {
  const table = client.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`).get();
  if (!table) return;
  const applied = client.prepare('SELECT created_at AS createdAt FROM __drizzle_migrations').all() as Array<{ createdAt: number | string }>;
  const known = new Set(shipped.map((m) => m.when));
  const unknown = applied.filter((row) => !known.has(Number(row.createdAt)));
  if (unknown.length > 0 || applied.length > shipped.length) {
    throw new UsageError(
      `database ${file} has a newer schema (${applied.length} migrations applied, this usibench knows ${shipped.length}); ` +
        'upgrade usibench (git pull && npm install) or pass another --db',
    );
  }
}

export interface OpenDbOptions {
  /** Milliseconds a writer waits for another's lock before failing (default 10 s). */
  busyTimeoutMs?: number;
}

/** Opens (creating if needed) and migrates the database. A file that is not SQLite, or is newer, is a UsageError. */
export function openDb(file?: string, opts: OpenDbOptions = {}): Db {
  const dbPath = resolveDbPath(file);
  if (fs.existsSync(dbPath) && fs.statSync(dbPath).isDirectory()) {
    throw new UsageError(`database path ${dbPath} is a directory; pass a file name with --db or USIBENCH_DB`);
  }
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  let client: Database.Database;
  try {
    client = new Database(dbPath);
  } catch (err) {
    throw new UsageError(`cannot open database ${dbPath}: ${errorMessage(err)}; check the path and its permissions`);
  }
  try {
    client.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 10_000}`);
    // The first real read is where SQLite notices a file is not a database.
    client.pragma('journal_mode = WAL');
    client.pragma('foreign_keys = ON');
    client.pragma('synchronous = NORMAL');
    const folder = migrationsFolder();
    checkNotNewer(client, dbPath, shippedMigrations(folder));
    const db = drizzle(client, { schema }) as Db;
    migrate(db, { migrationsFolder: folder });
    return db;
  } catch (err) {
    client.close();
    const code = sqliteCode(err);
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new UsageError(`${dbPath} is not a usibench SQLite database (${errorMessage(err)}); pass another file with --db or USIBENCH_DB`);
    }
    throw err;
  }
}

export function closeDb(db: Db): void {
  db.$client.close();
}
