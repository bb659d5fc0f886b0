import * as tf from '@tensorflow/tfjs-core';

// Small tensor helpers used across the losses. `stopGradient` and `matMulWeightT` duplicate what @vqrae/nn's
// contract promises (stopGradient, linear); they live here until that library has landed and can be swapped.

/** Identity forward, zero gradient (spec §4.4). Returns a new tensor owned by the caller. */
export const stopGradient = tf.customGrad((...inputs) => {
  const x = inputs[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as <T extends tf.Tensor>(x: T) => T;

/**
 * x · Wᵀ for x [M, in] and W [out, in] with explicit transposes in both directions, so that wasm only ever runs
 * plain (non-transposed) 2-D matMuls (ECOSYSTEM.md: transposed matMul is 13–46× slower there).
 */
export const matMulWeightT = tf.customGrad((...inputs) => {
  const x = inputs[0] as tf.Tensor2D;
  const w = inputs[1] as tf.Tensor2D;
  const save = inputs[2] as tf.GradSaveFunc;
  save([x, w]);
  const wT = tf.transpose(w); // [in, out]
  return {
    value: tf.matMul(x, wT), // [M, out]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dx = tf.matMul(dy as tf.Tensor2D, ws); // [M, out]·[out, in] = [M, in]
      const dw = tf.matMul(tf.transpose(dy) as tf.Tensor2D, xs); // [out, M]·[M, in] = [out, in]
      return [dx, dw];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** Converts pixel01 images to pm1 (2x − 1). */
export function toPm1(images01: tf.Tensor4D): tf.Tensor4D {
  return tf.sub(tf.mul(images01, 2), 1);
}

/** Throws `${where}: ${message}` unless the condition holds. */
export function check(condition: boolean, where: string, message: () => string): asserts condition {
  if (!condition) throw new Error(`${where}: ${message()}`);
}

/** Checks that two image batches have the same [B, H, W, 3] shape. */
export function checkSameImages(a: tf.Tensor, b: tf.Tensor, where: string): void {
  check(a.rank === 4 && a.shape[3] === 3, where, () => `expected images [B, H, W, 3], got [${a.shape}]`);
  check(
    a.shape.every((d, i) => d === b.shape[i]) && a.rank === b.rank,
    where,
    () => `reconstruction [${a.shape}] and target [${b.shape}] differ in shape`,
  );
}

/** tf.tidy for functions returning a LossOutput (keeps the total and the terms, collects everything else). */
export function tidyLoss<T extends { total: tf.Scalar; terms: Record<string, tf.Scalar> }>(fn: () => T): T {
  return tf.tidy(() => fn() as unknown as tf.TensorContainerObject) as unknown as T;
}
