/** Shared test helpers: leak checks and numeric comparison. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';

function returnedTensors(result: unknown): number {
  if (result instanceof tf.Tensor) return 1;
  if (Array.isArray(result)) return result.filter((t) => t instanceof tf.Tensor).length;
  return 0;
}

/**
 * Runs `fn` and asserts that the live tensor count afterwards equals the count before plus the tensors `fn`
 * returns (a tensor or an array of tensors): everything else it created was released.
 */
export function assertNoLeak<T>(label: string, fn: () => T): T {
  const before = tf.memory().numTensors;
  const result = fn();
  const extra = tf.memory().numTensors - before - returnedTensors(result);
  assert.equal(extra, 0, `${label}: leaked ${extra} tensor(s)`);
  return result;
}

/** Async variant of `assertNoLeak`. */
export async function assertNoLeakAsync<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  assert.equal(tf.memory().numTensors, before, `${label}: leaked ${tf.memory().numTensors - before} tensor(s)`);
  return result;
}

/** Largest |a − b| / (atol/rtol mix) check over two arrays; reports the worst index. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { atol?: number; rtol?: number }, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length ${actual.length} vs ${expected.length}`);
  const atol = tol.atol ?? 0;
  const rtol = tol.rtol ?? 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] === expected[i] || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    const diff = Math.abs(actual[i] - expected[i]);
    const allowed = atol + rtol * Math.abs(expected[i]);
    if (!(diff <= allowed) && (worst < 0 || diff - allowed > worstExcess)) {
      worst = i;
      worstExcess = diff - allowed;
    }
  }
  if (worst >= 0) {
    assert.fail(`${label}: index ${worst} actual ${actual[worst]} expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Compares two tensors' values and shapes. */
export function assertTensorClose(actual: tf.Tensor, expected: tf.Tensor, tol: { atol?: number; rtol?: number }, label: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assertClose(actual.dataSync() as Float32Array, expected.dataSync() as Float32Array, tol, label);
}

/** Max |x| of a tensor (for scale-aware tolerances). */
export function maxAbs(t: tf.Tensor): number {
  let m = 0;
  for (const v of t.dataSync()) m = Math.max(m, Math.abs(v));
  return m;
}
