/** Test helpers: fixture paths, tensor comparison. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile } from '@vqrae/nn';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** max |a − b| / max |b| (b the reference). */
export function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => {
    const diff = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0];
    const scale = tf.max(tf.abs(expected)).dataSync()[0];
    return diff / Math.max(scale, 1e-30);
  });
}

/** Asserts equal shapes and relative error ≤ tol. */
export function assertClose(actual: tf.Tensor, expected: tf.Tensor, tol: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const err = relativeError(actual, expected);
  assert.ok(err <= tol, `${what}: relative error ${err.toExponential(3)} > ${tol}`);
}

/** Reads every tensor of a fixture file (caller disposes). */
export async function readFixture(name: string): Promise<Record<string, tf.Tensor>> {
  const file = await SafetensorsFile.open(path.join(FIXTURES, name));
  try {
    return await file.readAll();
  } finally {
    await file.close();
  }
}

/** Disposes every tensor of a record (nested one level for loss records). */
export function disposeAll(record: Record<string, unknown>): void {
  for (const value of Object.values(record)) {
    if (value instanceof tf.Tensor) value.dispose();
    else if (typeof value === 'object' && value !== null) disposeAll(value as Record<string, unknown>);
  }
}
