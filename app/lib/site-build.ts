/**
 * Building and starting the production site from Node: shared by `usibench serve`, the e2e tests'
 * global setup and the site benchmark. Not imported by any page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

/** What the site is built from: a change to any of these makes the build stale. */
const SOURCES = ['app', 'db', 'common', 'next.config.js', 'tsconfig.json', 'tsconfig.site.json', 'package.json', 'package-lock.json'];
// site-build.ts runs outside the bundle, so editing it does not make the build stale.
const SKIP = new Set(['node_modules', '.next', '__golden__', 'site-build.ts']);

function newestMtime(p: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(p)) {
    if (SKIP.has(entry) || entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

/** Why a build is needed, or null when .next holds a production build newer than every source. */
export function staleReason(root: string): string | null {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return 'no production build yet (.next/BUILD_ID missing)';
  const built = fs.statSync(buildId).mtimeMs;
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  return newest > built ? 'sources changed since the last build' : null;
}

export function nextBin(root: string): string {
  return createRequire(path.join(root, 'package.json')).resolve('next/dist/bin/next');
}

const BASE_ENV = { NEXT_TELEMETRY_DISABLED: '1' };

/** Runs `next build --webpack` (see next.config.js for why webpack); rejects with its output's tail. */
export function buildSite(root: string, opts: { quiet?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin(root), 'build', '--webpack'], {
      cwd: root,
      env: { ...process.env, ...BASE_ENV },
      stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code})${tail ? `:\n${tail}` : ''}`))));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding a per-checkout lock, so two test runs or a test run and `usibench serve` never
 * write .next at the same time. A lock left by a dead process is taken over.
 */
async function withBuildLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const id = crypto.createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 16);
  const lock = path.join(os.tmpdir(), `usibench-site-build-${id}.lock`);
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let text: string;
      try {
        text = fs.readFileSync(lock, 'utf8');
      } catch {
        continue; // released between our two calls
      }
      const holder = Number(text);
      // An empty file is a lock being written right now, not a stale one.
      if (text !== '' && (!Number.isInteger(holder) || holder <= 0 || !alive(holder))) fs.rmSync(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Builds when stale (waiting for a build already running in this checkout); returns whether it built. */
export async function ensureBuilt(root: string, opts: { quiet?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  return withBuildLock(root, async () => {
    const reason = staleReason(root);
    if (reason === null) return false;
    opts.log?.(`building the site: ${reason} (takes a minute or two)`);
    await buildSite(root, opts);
    return true;
  });
}

/** A port nothing listens on right now, chosen by the OS. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Throws an EADDRINUSE error when something already listens on host:port. */
export function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) => reject(Object.assign(new Error(`${host}:${port} is in use (${err.code})`), { code: err.code })));
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

export interface RunningSite {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `next start` on host:port reading `dbFile`, and resolves once it answers HTTP.
 * The child is killed if it does not answer within `timeoutMs`.
 */
export async function startSite(root: string, opts: { dbFile: string; port: number; host: string; quiet?: boolean; timeoutMs?: number }): Promise<RunningSite> {
  // Checked first: otherwise another server already on the port would answer the readiness probe
  // while our child dies of EADDRINUSE.
  await assertPortFree(opts.host, opts.port);
  const child = spawn(process.execPath, [nextBin(root), 'start', '-p', String(opts.port), '-H', opts.host], {
    cwd: root,
    env: { ...process.env, ...BASE_ENV, USIBENCH_DB: path.resolve(opts.dbFile), NODE_ENV: 'production' },
    stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // next start outlives its parent otherwise, holding the port with a stale build.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  const url = `http://${hostForUrl}:${opts.port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with code ${child.exitCode}${output ? `:\n${output}` : ''}`);
    try {
      const res = await fetch(`${url}/runs`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      return { url, child, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await stop();
  throw new Error(`the site did not answer on ${url} within ${opts.timeoutMs ?? 60_000} ms${output ? `:\n${output}` : ''}`);
}
