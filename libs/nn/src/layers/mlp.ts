/** Transformer MLP: fc2(act(fc1(x))). */
import * as tf from '@tensorflow/tfjs-core';
import { activation, type ActivationName } from './activations.js';
import { linear, type LinearOptions, type LinearParams } from './linear.js';

/** x [..., D] → [..., D_out] (caller owns the result). `opts.frozen`: no weight gradients (see LinearOptions). */
export function mlp(x: tf.Tensor, fc1: LinearParams, fc2: LinearParams, act: ActivationName, opts: LinearOptions = {}): tf.Tensor {
  return tf.tidy(() => linear(activation(linear(x, fc1.weight, fc1.bias, opts), act), fc2.weight, fc2.bias, opts));
}
