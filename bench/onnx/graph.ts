/**
 * Builds an ONNX graph while tracking, for every value, the layout it is held in.
 *
 * The model's interface stays NHWC (what tfjs takes), but ONNX Runtime's convolution and pooling
 * kernels are NCHW. Rather than wrapping every conv in a pair of transposes, a 4-D value is kept in
 * NCHW for as long as its consumers are layout-agnostic (convolutions, pooling, elementwise ops,
 * activations, 1×1 dense) and is transposed back to the tfjs layout only where a consumer needs the
 * channel-last order (reshape, flatten, layer norm, softmax, the graph output). Each conversion is
 * made once per value and cached. A plain ResNet thus has one Transpose at the input and none after.
 */
import { floatTensor, int64Tensor, type AttrValue, type NodeSpec, type TensorInit } from './proto.js';

export type Layout = 'native' | 'nchw';

export interface Value {
  /** The ONNX name of the value in `layout`. */
  name: string;
  /** The tfjs shape without the batch dimension (e.g. [H, W, C]), whatever the layout. */
  shape: number[];
  layout: Layout;
}

export type Attrs = Record<string, AttrValue>;

export const int = (value: number): AttrValue => ({ kind: 'int', value });
export const float = (value: number): AttrValue => ({ kind: 'float', value });
export const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
export const str = (value: string): AttrValue => ({ kind: 'string', value });

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorInit[] = [];
  private readonly used = new Set<string>();
  private readonly converted = new Map<string, Value>();

  /** A fresh ONNX name derived from `base`. */
  fresh(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./-]/g, '_');
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  /** Adds a node with one output and returns that output's name. */
  op(opType: string, inputs: string[], attrs: Attrs = {}, base = opType): string {
    const out = this.fresh(base);
    this.nodes.push({ opType, name: `${out}_node`, inputs, outputs: [out], attributes: attrs });
    return out;
  }

  constF(base: string, dims: number[], values: Float32Array | number[]): string {
    const name = this.fresh(base);
    this.initializers.push(floatTensor(name, dims, values instanceof Float32Array ? values : Float32Array.from(values)));
    return name;
  }

  constI64(base: string, values: number[]): string {
    const name = this.fresh(base);
    this.initializers.push(int64Tensor(name, [values.length], values));
    return name;
  }

  /** The node whose output is `name`, if any. */
  producer(name: string): NodeSpec | undefined {
    for (let i = this.nodes.length - 1; i >= 0; i--) if (this.nodes[i].outputs.includes(name)) return this.nodes[i];
    return undefined;
  }

  initializer(name: string): TensorInit | undefined {
    return this.initializers.find((t) => t.name === name);
  }

  /** The value in the tfjs layout. */
  native(v: Value): Value {
    if (v.layout === 'native') return v;
    return this.convert(v, 'native');
  }

  /** A rank-4 (with batch) value in NCHW. */
  nchw(v: Value): Value {
    if (v.shape.length !== 3) throw new Error(`expected an image-shaped value, got shape [${v.shape}]`);
    if (v.layout === 'nchw') return v;
    return this.convert(v, 'nchw');
  }

  private convert(v: Value, to: Layout): Value {
    const key = `${v.name}->${to}`;
    const hit = this.converted.get(key);
    if (hit) return hit;
    const name = this.op('Transpose', [v.name], { perm: ints(to === 'nchw' ? TO_NCHW : TO_NHWC) }, `${v.name}_${to}`);
    const out: Value = { name, shape: v.shape, layout: to };
    this.converted.set(key, out);
    // Converting back returns the original rather than a third transpose.
    this.converted.set(`${name}->${v.layout}`, v);
    return out;
  }

  /** Maps a tfjs axis (negative allowed, batch = 0) of a value to its axis in the value's layout. */
  axis(v: Value, tfAxis: number): number {
    const rank = v.shape.length + 1;
    const a = tfAxis < 0 ? tfAxis + rank : tfAxis;
    if (v.layout === 'native') return a;
    return [0, 2, 3, 1][a]; // NHWC axis -> NCHW axis
  }

  /** A per-channel vector shaped to broadcast against a value in its layout. */
  channelConst(base: string, v: Value, values: Float32Array): string {
    const c = values.length;
    if (v.layout === 'nchw') return this.constF(base, [c, 1, 1], values);
    return this.constF(base, [c], values);
  }
}
