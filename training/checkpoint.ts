/**
 * Per-epoch checkpoints of a training run: model weights (batch-norm statistics included), AdamW
 * moments and step, EMA weights, the finished epoch and the curve so far. Random streams need no
 * saved state: every epoch's shuffle and augmentation generator is derived from (seed, epoch).
 *
 * One file, `checkpoint.bin`: 8-byte magic, uint32 header length, a JSON header, then float32 data;
 * written atomically, so an interrupted write leaves the previous checkpoint intact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomic.js';

const MAGIC = 'USICKPT1';
export const CHECKPOINT_FILE = 'checkpoint.bin';

/** One finished epoch: mean training loss, the lr at its last step, raw and EMA top-1 on the test split. */
export const CurvePointSchema = z.object({ epoch: z.number().int(), loss: z.number(), lr: z.number(), top1: z.number(), top1Ema: z.number() }).strict();
export type CurvePoint = z.infer<typeof CurvePointSchema>;

export interface EvalPair {
  raw: { top1: number; top5: number; count: number };
  ema: { top1: number; top5: number; count: number };
}

export interface CheckpointState {
  /** What must match for a resume: recipe hash and the run's options (see train.ts). */
  fingerprint: Record<string, unknown>;
  /** Epochs finished (1-based count). */
  epoch: number;
  optimizerStep: number;
  curve: CurvePoint[];
  /** The evaluation after the last finished epoch. */
  lastEval: EvalPair;
  /** Training seconds so far, summed over interrupted sessions. */
  elapsedSeconds: number;
  weights: Float32Array[];
  adamM: Float32Array[];
  adamV: Float32Array[];
  ema: Float32Array[];
}

interface Header {
  fingerprint: Record<string, unknown>;
  epoch: number;
  optimizerStep: number;
  curve: CurvePoint[];
  lastEval: EvalPair;
  elapsedSeconds: number;
  groups: Record<'weights' | 'adamM' | 'adamV' | 'ema', number[]>;
}

const GROUPS = ['weights', 'adamM', 'adamV', 'ema'] as const;

export function checkpointPath(outDir: string): string {
  return path.join(outDir, CHECKPOINT_FILE);
}

export function saveCheckpoint(outDir: string, state: CheckpointState): void {
  const groups = Object.fromEntries(GROUPS.map((g) => [g, state[g].map((a) => a.length)])) as Header['groups'];
  const { fingerprint, epoch, optimizerStep, curve, lastEval, elapsedSeconds } = state;
  const header: Header = { fingerprint, epoch, optimizerStep, curve, lastEval, elapsedSeconds, groups };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  // pad so the float32 data starts 4-byte aligned and can be viewed without a copy
  const pad = (4 - ((MAGIC.length + 4 + headerBytes.length) % 4)) % 4;
  const dataOffset = MAGIC.length + 4 + headerBytes.length + pad;
  const total = GROUPS.reduce((n, g) => n + state[g].reduce((m, a) => m + a.length, 0), 0);
  const buf = Buffer.alloc(dataOffset + total * 4);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(headerBytes.length + pad, MAGIC.length);
  headerBytes.copy(buf, MAGIC.length + 4);
  buf.fill(0x20, MAGIC.length + 4 + headerBytes.length, dataOffset);
  const floats = new Float32Array(buf.buffer, buf.byteOffset + dataOffset, total);
  let at = 0;
  for (const g of GROUPS) {
    for (const a of state[g]) {
      floats.set(a, at);
      at += a.length;
    }
  }
  writeFileAtomic(checkpointPath(outDir), buf);
}

/** The last checkpoint in outDir, or null if there is none. A corrupt file is an error, not a silent restart. */
export function loadCheckpoint(outDir: string): CheckpointState | null {
  const file = checkpointPath(outDir);
  if (!fs.existsSync(file)) return null;
  const buf = fs.readFileSync(file);
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new Error(`${file} is not a usibench checkpoint; delete it to start the run afresh`);
  }
  const headerLen = buf.readUInt32LE(MAGIC.length);
  const dataOffset = MAGIC.length + 4 + headerLen;
  const header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, dataOffset)) as Header;
  const total = GROUPS.reduce((n, g) => n + header.groups[g].reduce((m, len) => m + len, 0), 0);
  if (buf.length !== dataOffset + total * 4) {
    throw new Error(`${file} is truncated (${buf.length} bytes, expected ${dataOffset + total * 4}); delete it to start afresh`);
  }
  // copy out of the Node buffer pool into an aligned, owned array
  const floats = new Float32Array(total);
  new Uint8Array(floats.buffer).set(buf.subarray(dataOffset));
  let at = 0;
  const take = (lens: number[]): Float32Array[] =>
    lens.map((len) => {
      const a = floats.subarray(at, at + len);
      at += len;
      return a;
    });
  const weights = take(header.groups.weights);
  const adamM = take(header.groups.adamM);
  const adamV = take(header.groups.adamV);
  const ema = take(header.groups.ema);
  const { fingerprint, epoch, optimizerStep, curve, lastEval, elapsedSeconds } = header;
  return { fingerprint, epoch, optimizerStep, curve, lastEval, elapsedSeconds, weights, adamM, adamV, ema };
}
