/**
 * Downloads with checksum verification into a cache. A file reaches its final name only after
 * its checksum matched (temp file in the same directory, then rename), so whatever is in the
 * cache is trusted later without re-hashing, and a failed or interrupted download leaves nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { UsageError } from '../../common/errors.js';
import type { OpenOptions } from './types.js';

/**
 * Identities a downloaded file may match; it is accepted when any given one matches. `md5` is
 * what the dataset authors publish for their archive; `gunzippedSha256` identifies the same data
 * recompressed by a mirror (a gzip's bytes change with its header, its content does not).
 */
export interface Checksums {
  md5?: string;
  sha256?: string;
  gunzippedSha256?: string;
}

export function cacheRoot(opts: Pick<OpenOptions, 'cacheDir'>): string {
  return path.resolve(opts.cacheDir ?? process.env.USIBENCH_CACHE ?? path.join(os.homedir(), '.cache', 'usibench'));
}

/** The base URL for a dataset's files: the mirror (option, then env USIBENCH_DATA_MIRROR) + '/<dataset>', else the public one. */
export function downloadBase(opts: Pick<OpenOptions, 'mirror'>, dataset: string, publicBase: string): string {
  const mirror = opts.mirror ?? process.env.USIBENCH_DATA_MIRROR;
  return mirror ? `${mirror.replace(/\/+$/, '')}/${dataset}` : publicBase;
}

function hashTap(md5: crypto.Hash, sha: crypto.Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      md5.update(chunk);
      sha.update(chunk);
      done(null, chunk);
    },
  });
}

async function gunzippedSha256(file: string): Promise<string> {
  const sha = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), zlib.createGunzip(), new Transform({
    transform(chunk: Buffer, _enc, done) {
      sha.update(chunk);
      done();
    },
  }));
  return sha.digest('hex');
}

/** Downloads `url` to `dest` (atomically) and verifies it; a mismatch throws UsageError and keeps nothing. */
export async function downloadVerified(url: string, dest: string, expected: Checksums): Promise<void> {
  if (!expected.md5 && !expected.sha256 && !expected.gunzippedSha256) throw new Error(`no checksum recorded for ${url}`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.download-${process.pid}-${Date.now()}`;
  try {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UsageError(`cannot download ${url} (${cause?.code ?? cause?.message ?? String(err)}); check the network, set USIBENCH_DATA_MIRROR, or pass --data-dir with the files`);
    }
    if (!res.ok || !res.body) {
      throw new UsageError(`download of ${url} failed with HTTP ${res.status}; check the URL or USIBENCH_DATA_MIRROR, or pass --data-dir with the files`);
    }
    const md5 = crypto.createHash('md5');
    const sha = crypto.createHash('sha256');
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), hashTap(md5, sha), fs.createWriteStream(tmp));
    const got = { md5: md5.digest('hex'), sha256: sha.digest('hex') };
    let ok = (expected.md5 !== undefined && got.md5 === expected.md5) || (expected.sha256 !== undefined && got.sha256 === expected.sha256);
    let gotContent: string | undefined;
    if (!ok && expected.gunzippedSha256) {
      gotContent = await gunzippedSha256(tmp).catch(() => 'not gzip data');
      ok = gotContent === expected.gunzippedSha256;
    }
    if (!ok) {
      const want = [
        expected.md5 && `md5 ${expected.md5}`,
        expected.sha256 && `sha256 ${expected.sha256}`,
        expected.gunzippedSha256 && `sha256 of contents ${expected.gunzippedSha256}`,
      ].filter(Boolean).join(' or ');
      const have = [expected.md5 && `md5 ${got.md5}`, expected.sha256 && `sha256 ${got.sha256}`, gotContent && `sha256 of contents ${gotContent}`]
        .filter(Boolean).join(', ');
      throw new UsageError(`checksum mismatch for ${path.basename(dest)} from ${url}: expected ${want}, got ${have}; the download is corrupt or the mirror serves another file — retry, or set USIBENCH_DATA_MIRROR to a good mirror`);
    }
    fs.renameSync(tmp, dest);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
