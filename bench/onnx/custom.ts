/**
 * Converters for the roster's custom layers (training/models/layers.ts). Each follows the
 * computation that layer's doc comment and call() define; the parity test checks them against
 * tfjs on every roster family.
 */
import './standard.js';
import { registerConverter } from './convert.js';
import { float, int, ints, type Value } from './graph.js';
import { int64Tensor } from './proto.js';

registerConverter('HardSwish', (ctx) => {
  // x · relu6(x + 3) / 6 = x · clip(x/6 + 1/2, 0, 1): ONNX HardSwish (alpha 1/6, beta 1/2 fixed).
  const x = ctx.inputs[0];
  return [{ ...x, name: ctx.g.op('HardSwish', [x.name], {}, ctx.layer.name) }];
});

registerConverter('HardSigmoid', (ctx) => {
  const x = ctx.inputs[0];
  return [{ ...x, name: ctx.g.op('HardSigmoid', [x.name], { alpha: float(1 / 6), beta: float(0.5) }, ctx.layer.name) }];
});

registerConverter('ChannelScale', (ctx) => {
  const [x, s] = ctx.inputs;
  const sn = ctx.g.native(s); // N×C
  // Broadcast s over the spatial axes of whichever layout x is in.
  const axes = ctx.g.constI64(`${ctx.layer.name}_axes`, x.layout === 'nchw' ? [2, 3] : [1, 2]);
  const s4 = ctx.g.op('Unsqueeze', [sn.name, axes], {}, `${ctx.layer.name}_s`);
  return [{ ...x, name: ctx.g.op('Mul', [x.name, s4], {}, ctx.layer.name) }];
});

// training/models/layers.ts LayerNorm: the last axis, in the tensor's tfjs (native) layout.
registerConverter('LayerNorm', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  const c = x.shape[x.shape.length - 1];
  const name = ctx.g.op(
    'LayerNormalization',
    [x.name, ctx.g.constF(`${ctx.layer.name}_g`, [c], ctx.weight('gamma').values), ctx.g.constF(`${ctx.layer.name}_b`, [c], ctx.weight('beta').values)],
    { axis: int(-1), epsilon: float(ctx.config.epsilon ?? 1e-6) },
    ctx.layer.name,
  );
  return [{ name, shape: ctx.outShapes[0], layout: 'native' }];
});

registerConverter('Affine', (ctx) => {
  const x = ctx.inputs[0];
  const alpha = ctx.weight('alpha').values;
  let y = ctx.g.op('Mul', [x.name, ctx.g.channelConst(`${ctx.layer.name}_alpha`, x, alpha)], {}, `${ctx.layer.name}_mul`);
  if (ctx.config.center !== false)
    y = ctx.g.op('Add', [y, ctx.g.channelConst(`${ctx.layer.name}_beta`, x, ctx.weight('beta').values)], {}, ctx.layer.name);
  return [{ ...x, name: y }];
});

registerConverter('ClassToken', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  const d = x.shape[1];
  const token = ctx.g.constF(`${ctx.layer.name}_token`, [1, 1, d], ctx.weight('token').values);
  // The token is broadcast to this run's batch size, read from the input's shape.
  const batch = ctx.g.op(
    'Slice',
    [ctx.g.op('Shape', [x.name], {}, `${ctx.layer.name}_shape`), ctx.g.constI64('start0', [0]), ctx.g.constI64('end1', [1])],
    {},
    `${ctx.layer.name}_n`,
  );
  const target = ctx.g.op('Concat', [batch, ctx.g.constI64(`${ctx.layer.name}_1d`, [1, d])], { axis: int(0) }, `${ctx.layer.name}_target`);
  const tokens = ctx.g.op('Expand', [token, target], {}, `${ctx.layer.name}_expand`);
  const name = ctx.g.op('Concat', [tokens, x.name], { axis: int(1) }, ctx.layer.name);
  return [{ name, shape: ctx.outShapes[0], layout: 'native' }];
});

registerConverter('PositionEmbedding', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  const pos = ctx.weight('pos');
  const name = ctx.g.op('Add', [x.name, ctx.g.constF(`${ctx.layer.name}_pos`, pos.shape, pos.values)], {}, ctx.layer.name);
  return [{ ...x, name }];
});

registerConverter('SelectToken', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  const idxName = ctx.g.fresh(`${ctx.layer.name}_index`);
  ctx.g.initializers.push(int64Tensor(idxName, [], [ctx.config.index ?? 0])); // a scalar drops the axis
  const name = ctx.g.op('Gather', [x.name, idxName], { axis: int(1) }, ctx.layer.name);
  return [{ name, shape: ctx.outShapes[0], layout: 'native' }];
});

registerConverter('SelfAttention', (ctx) => {
  const g = ctx.g;
  const base = ctx.layer.name;
  const x = g.native(ctx.inputs[0]);
  const [t, c3] = x.shape;
  const h: number = ctx.config.numHeads ?? 1;
  const dModel = c3 / 3;
  const d = dModel / h;
  const heads = g.op('Reshape', [x.name, g.constI64(`${base}_s1`, [-1, t, 3 * h, d])], {}, `${base}_split_heads`);
  const perm = g.op('Transpose', [heads], { perm: ints([0, 2, 1, 3]) }, `${base}_heads`); // N×3H×T×d
  const parts = [0, 1, 2].map((i) => g.fresh(`${base}_${'qkv'[i]}`));
  g.nodes.push({
    opType: 'Split',
    name: `${base}_split_node`,
    inputs: [perm, g.constI64(`${base}_sizes`, [h, h, h])],
    outputs: parts,
    attributes: { axis: int(1) },
  });
  const [q, k, v] = parts;
  const kT = g.op('Transpose', [k], { perm: ints([0, 1, 3, 2]) }, `${base}_kT`);
  const scores = g.op('Mul', [g.op('MatMul', [q, kT], {}, `${base}_qk`), g.constF(`${base}_scale`, [], [1 / Math.sqrt(d)])], {}, `${base}_scores`);
  const attn = g.op('Softmax', [scores], { axis: int(-1) }, `${base}_attn`);
  const out = g.op('MatMul', [attn, v], {}, `${base}_av`); // N×H×T×d
  const merged = g.op('Transpose', [out], { perm: ints([0, 2, 1, 3]) }, `${base}_merge`);
  const name = g.op('Reshape', [merged, g.constI64(`${base}_s2`, [-1, t, dModel])], {}, base);
  return [{ name, shape: ctx.outShapes[0], layout: 'native' } satisfies Value];
});
