/**
 * Ops with explicit gradients, like tf.customGrad but with LAZY per-input gradients.
 *
 * tf.customGrad evaluates the whole gradient function, i.e. every input's gradient, even for inputs the tape does
 * not need (a frozen weight, the image input of the first layer, the frozen SimVQ codebook C in C·Wᵀ). The tape
 * itself only asks for the inputs that depend on the differentiated variables, so this helper registers the op
 * through the engine's kernel-function path (the one tf.customGrad uses internally) with one thunk per input;
 * entries of `gradFunc`'s result may be tensors (eager, always computed) or thunks (computed only when needed).
 * Put work shared by several inputs' gradients in the body of `gradFunc` (it runs in the backward scope, so its
 * tensors stay alive for the thunks and are released with the backward pass).
 *
 * The forward runs inside a tidy (intermediates are freed); anything the backward needs, INCLUDING inputs, must be
 * passed to `save` (inputs may be intermediates that are disposed before the backward pass runs).
 * If the engine internals are ever missing (other tfjs version), it falls back to tf.customGrad (eager gradients).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Saves tensors for the backward pass (kept clones, released after the gradient computation). */
export type SaveTensors = (tensors: tf.Tensor[]) => void;

/** One input's gradient: a tensor, or a thunk evaluated only when the tape needs that input's gradient. */
export type InputGradient = tf.Tensor | (() => tf.Tensor);

/** Forward of a custom op: its value and the gradient function. */
export interface CustomOpResult {
  readonly value: tf.Tensor;
  readonly gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => InputGradient[];
}

/** The subset of tfjs-core 4.22's Engine used here (private in its typings). */
interface KernelFuncEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: SaveTensors) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: Record<string, tf.Tensor>;
  }): tf.Tensor;
}

function kernelFuncEngine(): KernelFuncEngine | null {
  const engine = tf.engine() as unknown as Partial<KernelFuncEngine>;
  return typeof engine.runKernelFunc === 'function' ? (engine as KernelFuncEngine) : null;
}

function asThunk(grad: InputGradient): () => tf.Tensor {
  return grad instanceof tf.Tensor ? () => grad : grad;
}

/** Defines an op with an explicit gradient; the returned function takes exactly `arity` tensors. */
export function defineCustomOp(
  name: string,
  arity: number,
  forward: (inputs: tf.Tensor[], save: SaveTensors) => CustomOpResult,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return (...inputs: tf.Tensor[]) => {
    if (inputs.length !== arity) throw new Error(`${name}: expected ${arity} tensor inputs, got ${inputs.length}`);
    const engine = kernelFuncEngine();
    if (engine === null) return eagerCustomGrad(name, forward)(...inputs);
    let gradFunc: CustomOpResult['gradFunc'] | null = null;
    const inputMap: Record<string, tf.Tensor> = {};
    inputs.forEach((t, i) => {
      inputMap[i] = t;
    });
    return engine.runKernelFunc({
      inputs: inputMap,
      forwardFunc: (_backend, save) => {
        const result = forward(inputs, save);
        gradFunc = result.gradFunc;
        return result.value;
      },
      backwardsFunc: (dy, saved) => {
        if (gradFunc === null) throw new Error(`${name}: backward before forward`);
        const grads = gradFunc(dy, saved);
        if (grads.length !== arity) throw new Error(`${name}: gradFunc returned ${grads.length} gradients for ${arity} inputs`);
        const out: Record<string, () => tf.Tensor> = {};
        grads.forEach((g, i) => {
          out[i] = asThunk(g);
        });
        return out;
      },
    });
  };
}

function eagerCustomGrad(name: string, forward: (inputs: tf.Tensor[], save: SaveTensors) => CustomOpResult) {
  return tf.customGrad((...args: Array<tf.Tensor | SaveTensors>) => {
    const save = args[args.length - 1] as SaveTensors;
    const result = forward(args.slice(0, -1) as tf.Tensor[], save);
    return {
      value: result.value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const grads = result.gradFunc(dy, saved).map((g) => asThunk(g)());
        if (grads.length !== args.length - 1) throw new Error(`${name}: gradFunc returned ${grads.length} gradients`);
        return grads;
      },
    };
  });
}
