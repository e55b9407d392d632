/**
 * `usibench serve`: builds the site when its build is missing or older than its sources, then
 * serves the production build (next start) reading the chosen database, and prints the URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { resolveDbPath } from '../../db/index.js';
import { ensureBuilt, startSite } from '../../app/lib/site-build.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new UsageError(`--port ${value} is not a port number; use an integer from 1 to 65535`);
  return port;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('build the site if needed and serve the speed/top-1 chart, tables and run history')
    .option('--db <file>', 'results database (default: env USIBENCH_DB, else ./usibench.sqlite)')
    .option('--port <n>', 'port to listen on', '3000')
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .action(async (opts: { db?: string; port: string; host: string }) => {
      const port = parsePort(opts.port);
      const dbFile = resolveDbPath(opts.db);
      if (fs.existsSync(dbFile) && fs.statSync(dbFile).isDirectory()) {
        throw new UsageError(`database path ${dbFile} is a directory; pass a file with --db`);
      }
      if (!fs.existsSync(dbFile)) {
        process.stderr.write(`usibench serve: no database at ${dbFile} yet; the site will say how to fill it (usibench nightly --preset quick)\n`);
      }
      try {
        await ensureBuilt(ROOT, { log: (line) => process.stderr.write(`usibench serve: ${line}\n`) });
      } catch (err) {
        throw new Error(`the site failed to build; fix the error above and run usibench serve again (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
      }
      let site;
      try {
        site = await startSite(ROOT, { dbFile, port, host: opts.host, timeoutMs: 60_000 });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (/EADDRINUSE/.test(message)) throw new UsageError(`port ${port} on ${opts.host} is in use; pick another with --port`);
        throw err;
      }
      process.stdout.write(`usibench site: ${site.url}/  (database ${dbFile}; Ctrl-C to stop)\n`);
      const stop = () => void site.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const code = await new Promise<number>((resolve) => site.child.once('exit', (c) => resolve(c ?? 0)));
      if (code !== 0) throw new Error(`the site server exited with code ${code}`);
    });
}
