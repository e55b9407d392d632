/**
 * tfjs LayersModel → ONNX (opset 17, IR 8). The graph is walked in the order tfjs itself executes
 * it (nodes by decreasing depth), each layer emitted by its converter. The ONNX model keeps the
 * tfjs interface: input NHWC float32 with a symbolic batch dimension, output the model's output.
 * A batch norm whose input comes straight from a convolution (or a dense layer held as a 1×1
 * conv) read by nothing else is folded into that conv's weights and bias; any other is exported
 * as a per-channel Mul + Add.
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../../common/atomic.js';
import { packageVersion } from '../../common/environment.js';
import { converterFor, type Weight } from './convert.js';
import './custom.js';
import { GraphBuilder, type Value } from './graph.js';
import { toFp16 } from './fp16.js';
import { DataType, encodeModel, type GraphSpec, type ValueInfo } from './proto.js';
import './standard.js';

interface TopologyNode {
  outboundLayer: tf.layers.Layer;
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

function shapeWithoutBatch(t: tf.SymbolicTensor): number[] {
  const dims = t.shape.slice(1);
  if (dims.some((d) => d == null)) throw new Error(`tensor ${t.name} has a dynamic non-batch dimension [${t.shape}]`);
  return dims as number[];
}

function readWeights(layer: tf.layers.Layer): { list: Weight[]; byName: Map<string, Weight> } {
  const list: Weight[] = [];
  const byName = new Map<string, Weight>();
  const tensors = layer.getWeights();
  layer.weights.forEach((variable, i) => {
    const t = tensors[i];
    const w: Weight = { shape: t.shape.slice(), values: t.dataSync() as Float32Array };
    list.push(w);
    // Variable names look like 'conv_1/kernel' (or 'conv_1/kernel_3' after a reload clash).
    const leaf = variable.originalName.split('/').pop()!.replace(/_\d+$/, '');
    byName.set(leaf, w);
  });
  return { list, byName };
}

export interface OnnxOptions {
  /** fp16 stores weights and computes in half precision behind an fp32 interface. */
  precision?: 'fp32' | 'fp16';
}

/** Builds the ONNX bytes of a model (already BN-folded if wanted). */
export function modelToOnnx(model: tf.LayersModel, opts: OnnxOptions = {}): Uint8Array {
  const graph = modelToGraph(model);
  return encodeModel(
    opts.precision === 'fp16' ? toFp16(graph) : graph,
    packageVersion('@tensorflow/tfjs-core') ? `tfjs ${packageVersion('@tensorflow/tfjs-core')}` : 'tfjs',
  );
}

/** The ONNX graph (fp32) of a functional tfjs model. */
export function modelToGraph(model: tf.LayersModel): GraphSpec {
  const g = new GraphBuilder();
  const values = new Map<number, Value>();
  const inputs: ValueInfo[] = model.inputs.map((t, i) => {
    const name = model.inputs.length === 1 ? 'input' : `input_${i}`;
    g.reserve(name);
    values.set(t.id, { name, shape: shapeWithoutBatch(t), layout: 'native' });
    return { name, elemType: DataType.FLOAT, shape: ['N', ...shapeWithoutBatch(t)] };
  });

  const byDepth = (model as unknown as { nodesByDepth: Record<string, TopologyNode[]> }).nodesByDepth;
  // Who reads each tensor: a batch norm folds into its conv only when it is the conv's sole reader.
  const readers = new Map<number, number>();
  for (const nodes of Object.values(byDepth))
    for (const node of nodes) for (const t of node.inputTensors) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
  for (const t of model.outputs) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
  const depths = Object.keys(byDepth)
    .map(Number)
    .sort((a, b) => b - a);
  for (const depth of depths) {
    for (const node of byDepth[depth]) {
      const layer = node.outboundLayer;
      if (layer instanceof tf.LayersModel)
        throw new Error(`nested model '${layer.name}' in the graph: flatten it before exporting`);
      const ins = node.inputTensors.map((t) => {
        const v = values.get(t.id);
        if (!v) throw new Error(`layer '${layer.name}' reads tensor ${t.name} before it is computed`);
        return v;
      });
      const convert = converterFor(layer);
      const { byName, list } = readWeights(layer);
      const outs = convert({
        g,
        layer,
        config: layer.getConfig(),
        inputs: ins,
        inputReaders: node.inputTensors.map((t) => readers.get(t.id) ?? 0),
        outShapes: node.outputTensors.map(shapeWithoutBatch),
        weights: list,
        weight: (suffix) => {
          const w = byName.get(suffix);
          if (!w) throw new Error(`layer '${layer.name}' has no weight '${suffix}' (has ${[...byName.keys()].join(', ')})`);
          return w;
        },
      });
      node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
    }
  }

  const outputs: ValueInfo[] = model.outputs.map((t, i) => {
    const v = g.native(values.get(t.id)!);
    const name = model.outputs.length === 1 ? 'output' : `output_${i}`;
    g.reserve(name);
    g.nodes.push({ opType: 'Identity', name: `${name}_node`, inputs: [v.name], outputs: [name], attributes: {} });
    return { name, elemType: DataType.FLOAT, shape: ['N', ...shapeWithoutBatch(t)] };
  });

  return { name: model.name, nodes: g.nodes, initializers: g.initializers, inputs, outputs };
}

/** Writes the model as ONNX to `file` (atomically). */
export async function writeOnnx(model: tf.LayersModel, file: string, opts: OnnxOptions = {}): Promise<void> {
  writeFileAtomic(file, modelToOnnx(model, opts));
}
