import * as tf from '@tensorflow/tfjs-core';

// Small tensor helpers shared by the losses.

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
