/** Test helpers: run an exported graph in ONNX Runtime, compare host arrays, seeded images. */
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import type { OnnxArtifact } from '../src/index.js';

/** Runs `artifact` once on CPU with float32 `pixels` or int32 `indices` feeds; returns the outputs' data. */
export async function runArtifact(
  artifact: OnnxArtifact,
  feeds: { pixels?: { data: Float32Array; dims: number[] }; indices?: { data: Int32Array; dims: number[] } },
): Promise<Record<string, Float32Array | Int32Array>> {
  const session = await ort.InferenceSession.create(artifact.model, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const input: Record<string, ort.Tensor> = {};
    if (feeds.pixels) input.pixels = new ort.Tensor('float32', feeds.pixels.data, feeds.pixels.dims);
    if (feeds.indices) input.indices = new ort.Tensor('int32', feeds.indices.data, feeds.indices.dims);
    const out = await session.run(input);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array | Int32Array]));
  } finally {
    await session.release();
  }
}

/** max |a − b| / max |b| (b the reference). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

/** Seeded pixel01 images `[batch, size, size, 3]` as a host array. */
export function seededPixels(batch: number, size: number, seed: number): Float32Array {
  const t = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', seed);
  const data = t.dataSync() as Float32Array; // read outside any tidy (a tidy walks a returned TypedArray)
  t.dispose();
  return data;
}

/** Host array → tfjs tensor → `fn` → host array, disposing everything. */
export function withTensor<T extends tf.Tensor>(data: Float32Array | Int32Array, shape: number[], fn: (t: T) => tf.Tensor): Float32Array | Int32Array {
  const result = tf.tidy(() => fn(tf.tensor(data, shape) as T));
  const values = result.dataSync() as Float32Array | Int32Array;
  result.dispose();
  return values;
}
