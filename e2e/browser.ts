/**
 * Debian's chromium driven by playwright-core: no browser download, the same binary CI installs
 * with apt. USIBENCH_CHROMIUM points elsewhere when needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e');

export function chromiumPath(): string {
  const exe = process.env.USIBENCH_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(exe)) {
    throw new Error(`no chromium at ${exe}: install it (apt-get install chromium) or set USIBENCH_CHROMIUM to a Chromium binary`);
  }
  return exe;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
