/** Reads IDX files (the MNIST family's format), plain or gzipped, and rejects corrupt ones clearly. */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { UsageError } from '../../common/errors.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Parses an unsigned-byte IDX buffer; `name` is only for the error message. */
export function parseIdx(buf: Uint8Array, name: string): IdxArray {
  const fail = (why: string): never => {
    throw new UsageError(`${name} is not a valid IDX file (${why}); delete it or point --data-dir at an intact copy`);
  };
  if (buf.length < 4) fail(`only ${buf.length} bytes`);
  if (buf[0] !== 0 || buf[1] !== 0) fail('bad magic number');
  if (buf[2] !== UBYTE) fail(`element type 0x${buf[2].toString(16)} is not unsigned byte`);
  const rank = buf[3];
  if (rank < 1 || rank > 4) fail(`rank ${rank}`);
  const header = 4 + 4 * rank;
  if (buf.length < header) fail('truncated header');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  if (buf.length - header !== expected) {
    fail(`header says ${dims.join('×')} = ${expected} bytes of data, file has ${buf.length - header}`);
  }
  return { dims, data: buf.subarray(header) };
}

export function readIdxFile(file: string): IdxArray {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; check the path`);
  }
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = zlib.gunzipSync(raw);
    } catch (err) {
      throw new UsageError(`${file} is a corrupt gzip file (${(err as Error).message}); delete it and download it again`);
    }
  }
  return parseIdx(raw, file);
}

/** Images and labels of one split, checked to agree with each other. */
export function readIdxPair(imagesFile: string, labelsFile: string, numClasses: number): { images: Uint8Array; labels: Uint8Array; h: number; w: number } {
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  if (images.dims.length !== 3) throw new UsageError(`${imagesFile} holds a rank-${images.dims.length} array, not N×H×W images; is it a label file?`);
  if (labels.dims.length !== 1) throw new UsageError(`${labelsFile} holds a rank-${labels.dims.length} array, not a label vector; is it an image file?`);
  if (images.dims[0] !== labels.dims[0]) {
    throw new UsageError(`${imagesFile} has ${images.dims[0]} images but ${labelsFile} has ${labels.dims[0]} labels; the files come from different releases`);
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] >= numClasses) throw new UsageError(`${labelsFile} has label ${labels.data[i]} at index ${i}, above the ${numClasses} classes; the file is corrupt`);
  }
  return { images: images.data, labels: labels.data, h: images.dims[1], w: images.dims[2] };
}
