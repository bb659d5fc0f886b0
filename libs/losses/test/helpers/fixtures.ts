import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Reads a committed F32 safetensors fixture into tensors (test-only; the fixtures are tiny). Caller owns them.
 * Kept local so these tests do not depend on @vqrae/nn's reader landing first.
 */
export function readFixture(name: string): Record<string, tf.Tensor> {
  const bytes = fs.readFileSync(path.join(here, '..', 'fixtures', name));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const base = 8 + headerLength;
  const out: Record<string, tf.Tensor> = {};
  for (const [key, info] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    if (info.dtype !== 'F32') throw new Error(`readFixture(${name}): ${key} is ${info.dtype}, expected F32`);
    const [begin, end] = info.data_offsets;
    const copy = bytes.subarray(base + begin, base + end);
    const data = new Float32Array(copy.buffer.slice(copy.byteOffset, copy.byteOffset + copy.byteLength));
    out[key] = tf.tensor(data, info.shape);
  }
  return out;
}

/** Max |a − b| over all elements. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Max |a − b| / (max |b| + tiny): a scale-aware relative error. */
export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const scale = tf.max(tf.abs(b)).dataSync()[0];
    return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / (scale + 1e-30);
  });
}

/** Runs fn and asserts the live tensor count is unchanged afterwards. */
export async function expectNoLeak(label: string, fn: () => void | Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`${label}: tensor count ${before} → ${after}`);
}
