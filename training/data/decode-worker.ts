/**
 * The image decoder's thread (see decoder.ts): decodes the files of one batch and hands the pixels
 * back (transferred, not copied).
 */
import { parentPort } from 'node:worker_threads';
import type { DecodeReply, DecodeRequest } from './decoder.js';
import { decodeFiles, Limiter } from './imagefolder.js';

let limiter: Limiter | null = null;

parentPort!.on('message', async (req: DecodeRequest) => {
  limiter ??= new Limiter(req.concurrency);
  try {
    const images = await decodeFiles(req.files, req.res, limiter);
    parentPort!.postMessage({ id: req.id, images } satisfies DecodeReply, [images.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).message } satisfies DecodeReply);
  }
});
