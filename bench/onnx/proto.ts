/**
 * Serialises the subset of onnx.proto (ONNX IR 8, the IR of opset 17) that the exporter needs,
 * straight to protobuf wire format with protobufjs' Writer. Field numbers are those of
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto; shipping a .proto file and a schema
 * compiler would buy nothing for five message types that are only ever written.
 */
import protobuf from 'protobufjs';

const { Writer } = protobuf;
type PbWriter = protobuf.Writer;

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

export enum DataType {
  FLOAT = 1,
  INT32 = 6,
  INT64 = 7,
  FLOAT16 = 10,
}

export interface TensorInit {
  name: string;
  dims: number[];
  dataType: DataType;
  /** Little-endian raw bytes of the values. */
  raw: Uint8Array;
}

export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'tensor'; value: TensorInit };

export interface NodeSpec {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttrValue>;
}

export interface ValueInfo {
  name: string;
  elemType: DataType;
  /** A number is a fixed size; a string is a symbolic one (the batch dimension). */
  shape: Array<number | string>;
}

export interface GraphSpec {
  name: string;
  nodes: NodeSpec[];
  initializers: TensorInit[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

// Wire types: 0 varint, 2 length-delimited, 5 32-bit.
function tag(w: PbWriter, field: number, wireType: number): PbWriter {
  return w.uint32((field << 3) | wireType);
}

function str(w: PbWriter, field: number, s: string): void {
  tag(w, field, 2).string(s);
}

function int64(w: PbWriter, field: number, v: number): void {
  tag(w, field, 0).int64(v);
}

function message(w: PbWriter, field: number, body: (w: PbWriter) => void): void {
  tag(w, field, 2).fork();
  body(w);
  w.ldelim();
}

function writeTensor(w: PbWriter, t: TensorInit): void {
  if (t.dims.length) {
    tag(w, 1, 2).fork();
    for (const d of t.dims) w.int64(d);
    w.ldelim();
  }
  tag(w, 2, 0).int32(t.dataType);
  str(w, 8, t.name);
  tag(w, 9, 2).bytes(t.raw);
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function writeAttribute(w: PbWriter, name: string, a: AttrValue): void {
  str(w, 1, name);
  switch (a.kind) {
    case 'float':
      tag(w, 2, 5).float(a.value);
      break;
    case 'int':
      int64(w, 3, a.value);
      break;
    case 'string':
      tag(w, 4, 2).bytes(new TextEncoder().encode(a.value));
      break;
    case 'tensor':
      message(w, 5, (m) => writeTensor(m, a.value));
      break;
    case 'floats':
      tag(w, 7, 2).fork();
      for (const v of a.value) w.float(v);
      w.ldelim();
      break;
    case 'ints':
      tag(w, 8, 2).fork();
      for (const v of a.value) w.int64(v);
      w.ldelim();
      break;
  }
  tag(w, 20, 0).int32(ATTR_TYPE[a.kind]);
}

function writeNode(w: PbWriter, n: NodeSpec): void {
  for (const i of n.inputs) str(w, 1, i);
  for (const o of n.outputs) str(w, 2, o);
  str(w, 3, n.name);
  str(w, 4, n.opType);
  for (const [name, a] of Object.entries(n.attributes)) message(w, 5, (m) => writeAttribute(m, name, a));
}

function writeValueInfo(w: PbWriter, v: ValueInfo): void {
  str(w, 1, v.name);
  message(w, 2, (type) =>
    message(type, 1, (tensor) => {
      tag(tensor, 1, 0).int32(v.elemType);
      message(tensor, 2, (shape) => {
        for (const d of v.shape)
          message(shape, 1, (dim) => (typeof d === 'number' ? int64(dim, 1, d) : str(dim, 2, d)));
      });
    }),
  );
}

/** Encodes a ModelProto holding one graph in the default ONNX domain. */
export function encodeModel(graph: GraphSpec, producerVersion: string, docString = ''): Uint8Array {
  const w = Writer.create();
  int64(w, 1, ONNX_IR_VERSION);
  str(w, 2, 'usibench');
  str(w, 3, producerVersion);
  if (docString) str(w, 6, docString);
  message(w, 7, (g) => {
    for (const n of graph.nodes) message(g, 1, (m) => writeNode(m, n));
    str(g, 2, graph.name);
    for (const t of graph.initializers) message(g, 5, (m) => writeTensor(m, t));
    for (const v of graph.inputs) message(g, 11, (m) => writeValueInfo(m, v));
    for (const v of graph.outputs) message(g, 12, (m) => writeValueInfo(m, v));
  });
  message(w, 8, (op) => {
    str(op, 1, '');
    int64(op, 2, ONNX_OPSET);
  });
  return w.finish();
}

export function floatTensor(name: string, dims: number[], values: Float32Array): TensorInit {
  const copy = new Float32Array(values); // a fresh, aligned buffer owned by the tensor
  return { name, dims, dataType: DataType.FLOAT, raw: new Uint8Array(copy.buffer) };
}

export function int64Tensor(name: string, dims: number[], values: number[]): TensorInit {
  const arr = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims, dataType: DataType.INT64, raw: new Uint8Array(arr.buffer) };
}
