/**
 * Saved models in the tfjs layers format (model.json + weights.bin, what tf.loadLayersModel reads),
 * plus usibench.json: the facts a consumer needs to feed the model (dataset, classes, input
 * normalisation). Node has no file:// handler without tfjs-node, so the files are written here.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { writeDirAtomic } from '../common/atomic.js';
import { UsageError } from '../common/errors.js';
import './models/index.js'; // registers the roster's custom layers so model.json deserialises

export interface ModelMeta {
  model: string;
  dataset: string;
  numClasses: number;
  classNames: string[];
  resolution: number;
  channels: number;
  /** Normalisation the model was trained with: x = (pixel/255 - mean) / std per channel. */
  mean: number[];
  std: number[];
  recipeHash: string;
  top1: number;
}

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const META_JSON = 'usibench.json';

function joinWeightData(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/** Saves into `dir` atomically (built in a sibling temp dir, then renamed into place). */
export async function saveModelDir(model: tf.LayersModel, dir: string, meta: ModelMeta): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        if (!artifacts.weightData || !artifacts.weightSpecs) throw new Error('model.save produced no weights');
        const weights = joinWeightData(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
        fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), new Uint8Array(weights));
        const modelJson = {
          modelTopology: artifacts.modelTopology,
          format: artifacts.format ?? 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy ?? null,
          weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs }],
        };
        fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(modelJson));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    fs.writeFileSync(path.join(tmp, META_JSON), JSON.stringify(meta, null, 2));
  });
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** Loads a tfjs layers model directory; meta is null for a directory not written by usibench. */
export async function loadModelDir(dir: string): Promise<{ model: tf.LayersModel; meta: ModelMeta | null }> {
  const jsonFile = path.join(dir, MODEL_JSON);
  if (!fs.existsSync(jsonFile)) {
    throw new UsageError(`${dir} is not a tfjs model directory (no ${MODEL_JSON}); give a directory saved by 'usibench train' or tfjs model.save`);
  }
  let parsed: ModelJson;
  try {
    parsed = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as ModelJson;
  } catch (err) {
    throw new UsageError(`${jsonFile} is not valid JSON (${(err as Error).message}); re-save the model`);
  }
  if (!parsed.modelTopology || !Array.isArray(parsed.weightsManifest)) {
    throw new UsageError(`${jsonFile} is not a tfjs layers model (needs modelTopology and weightsManifest)`);
  }
  const weightSpecs = parsed.weightsManifest.flatMap((g) => g.weights);
  const buffers = parsed.weightsManifest.flatMap((g) =>
    g.paths.map((p) => {
      const file = path.join(dir, p);
      if (!fs.existsSync(file)) throw new UsageError(`${jsonFile} names weight file ${p}, which is missing; re-save the model`);
      const buf = fs.readFileSync(file);
      return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    }),
  );
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: parsed.modelTopology, weightSpecs, weightData: tf.io.concatenateArrayBuffers(buffers) }),
  );
  const metaFile = path.join(dir, META_JSON);
  const meta = fs.existsSync(metaFile) ? (JSON.parse(fs.readFileSync(metaFile, 'utf8')) as ModelMeta) : null;
  return { model, meta };
}
