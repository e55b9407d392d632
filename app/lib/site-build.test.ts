import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleReason } from './site-build.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function checkout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-stale-'));
  dirs.push(root);
  fs.mkdirSync(path.join(root, 'app', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'app', 'page.tsx'), 'x');
  fs.writeFileSync(path.join(root, 'app', 'lib', 'x.test.ts'), 'x');
  return root;
}

function setTime(file: string, seconds: number): void {
  fs.utimesSync(file, seconds, seconds);
}

describe('staleReason', () => {
  it('asks for a build when there is none', () => {
    expect(staleReason(checkout())).toMatch(/no production build/);
  });

  it('is up to date when the build is newer than every source, stale when a source is newer', () => {
    const root = checkout();
    fs.mkdirSync(path.join(root, '.next'));
    const buildId = path.join(root, '.next', 'BUILD_ID');
    fs.writeFileSync(buildId, 'id');
    setTime(path.join(root, 'app', 'page.tsx'), 1_000_000);
    setTime(buildId, 2_000_000);
    expect(staleReason(root)).toBeNull();
    // A test file is not part of the site.
    setTime(path.join(root, 'app', 'lib', 'x.test.ts'), 3_000_000);
    expect(staleReason(root)).toBeNull();
    setTime(path.join(root, 'app', 'page.tsx'), 3_000_000);
    expect(staleReason(root)).toMatch(/sources changed/);
  });
});

describe('assertPortFree', () => {
  it('passes for a free port and names a busy one', async () => {
    const net = await import('node:net');
    const { assertPortFree, freePort } = await import('./site-build.js');
    const port = await freePort();
    await assertPortFree('127.0.0.1', port);
    const srv = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    try {
      await expect(assertPortFree('127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      srv.close();
    }
  });
});
