/**
 * Typed wrapper over tf.customGrad. The forward runs inside a tidy (intermediates are freed); anything the backward
 * needs, INCLUDING inputs, must be passed to `save` (inputs may be intermediates that are disposed before the
 * backward pass runs). `gradFunc` must return one gradient per input, in order.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Saves tensors for the backward pass (kept clones, released after the gradient computation). */
export type SaveTensors = (tensors: tf.Tensor[]) => void;

/** Forward of a custom op: its value and the gradient function. */
export interface CustomOpResult {
  readonly value: tf.Tensor;
  readonly gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/** Defines an op with an explicit gradient; the returned function takes exactly `arity` tensors. */
export function defineCustomOp(
  name: string,
  arity: number,
  forward: (inputs: tf.Tensor[], save: SaveTensors) => CustomOpResult,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | SaveTensors>) => {
    const save = args[args.length - 1] as SaveTensors;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    return forward(inputs, save);
  });
  return (...inputs: tf.Tensor[]) => {
    if (inputs.length !== arity) throw new Error(`${name}: expected ${arity} tensor inputs, got ${inputs.length}`);
    return op(...inputs);
  };
}
