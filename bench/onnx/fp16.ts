/**
 * Turns an fp32 graph into one that computes in fp16 while keeping an fp32 interface: every float
 * initializer is stored as float16, the input is Cast to fp16 on entry and the output Cast back.
 * Whether the runtime has fp16 kernels for every op is its own affair: ONNX Runtime's CPU provider
 * lacks many, and then refuses the model with a message naming the op.
 */
import { DataType, type GraphSpec, type NodeSpec, type TensorInit } from './proto.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of a float, rounded to nearest even (overflow → ±inf, NaN kept). */
export function toHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // may carry into the exponent: correct
  return sign | half;
}

function halfTensor(t: TensorInit): TensorInit {
  const src = new Float32Array(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength / 4);
  const dst = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) dst[i] = toHalfBits(src[i]);
  return { ...t, dataType: DataType.FLOAT16, raw: new Uint8Array(dst.buffer) };
}

export function toFp16(graph: GraphSpec): GraphSpec {
  const inputNames = new Set(graph.inputs.map((v) => v.name));
  const outputNames = new Set(graph.outputs.map((v) => v.name));
  const rename = (n: string): string => (inputNames.has(n) ? `${n}_fp16` : n);
  const casts: NodeSpec[] = graph.inputs.map((v) => ({
    opType: 'Cast',
    name: `${v.name}_to_fp16`,
    inputs: [v.name],
    outputs: [`${v.name}_fp16`],
    attributes: { to: { kind: 'int', value: DataType.FLOAT16 } },
  }));
  const nodes = graph.nodes.map((n): NodeSpec => {
    const inputs = n.inputs.map(rename);
    if (n.opType === 'Identity' && outputNames.has(n.outputs[0]))
      return { ...n, opType: 'Cast', inputs, attributes: { to: { kind: 'int', value: DataType.FLOAT } } };
    return { ...n, inputs };
  });
  return {
    ...graph,
    nodes: [...casts, ...nodes],
    initializers: graph.initializers.map((t) => (t.dataType === DataType.FLOAT ? halfTensor(t) : t)),
  };
}
