/**
 * The custom tfjs layers of the roster: only what tfjs-layers lacks. Each one is registered with
 * tf.serialization.registerClass (model.save → tf.loadLayersModel round-trips) and its getConfig()
 * carries everything needed to re-create its computation (the ONNX exporter and the MAC counter
 * read these). Shapes are channels-last; N = batch, T = tokens, C/D = channels.
 */
import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Kwargs = Record<string, unknown>;

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/**
 * Hard swish (MobileNetV3): y = x · relu6(x + 3) / 6, elementwise, any shape.
 * ONNX: HardSwish. MACs: none counted (elementwise).
 */
export class HardSwish extends tf.layers.Layer {
  static readonly className = 'HardSwish';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    });
  }
}
tf.serialization.registerClass(HardSwish);

/**
 * Hard sigmoid as PyTorch/MobileNetV3 define it: y = relu6(x + 3) / 6 (tfjs' built-in
 * 'hardSigmoid' is the Keras 0.2·x + 0.5 variant, a different function).
 * ONNX: HardSigmoid(alpha = 1/6, beta = 0.5). Elementwise, any shape.
 */
export class HardSigmoid extends tf.layers.Layer {
  static readonly className = 'HardSigmoid';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => tf.div(tf.relu6(tf.add(single(inputs), 3)), 6));
  }
}
tf.serialization.registerClass(HardSigmoid);
