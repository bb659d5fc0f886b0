import * as tf from '@tensorflow/tfjs-core';
import { foldIndex, gaussianTaps } from './separable-filter.js';

/** Options of {@link ssimTorchmetricsTensor}: the torchmetrics variant's border mode and data range (model-spec §8.3). */
export interface SsimTensorOptions {
  readonly border?: 'full' | 'crop';
  readonly dataRange?: number;
}

const RADIUS = 5;
const SIGMA = 1.5;

/**
 * Differentiable torchmetrics-variant SSIM on tensors, float32: pixel01 images a, b [B, H, W, C] → per-image SSIM [B]
 * (for a `1 − SSIM` loss or on-device evaluation). Each 1-D pass (torch reflect padding + 11-tap Gaussian + 'valid')
 * is one plain 2-D matMul with a constant [n, n] banded matrix that has the reflection folded in: exact gradients
 * everywhere (tf.mirrorPad's registered gradient drops the reflected part) and only kernels the wasm backend can
 * differentiate (it has no depthwise-conv input gradient). Population moments, variances clamped at 0 in `full` mode.
 * The host `ssim()` is the float64 reference; float32 here differs by ~1e−5.
 * OWNERSHIP: inputs are not disposed; the caller owns the returned tensor; every intermediate is freed.
 */
export function ssimTorchmetricsTensor(a: tf.Tensor4D, b: tf.Tensor4D, options: SsimTensorOptions = {}): tf.Tensor1D {
  const border = options.border ?? 'full';
  const dataRange = options.dataRange ?? 1;
  const [batch, height, width, channels] = a.shape;
  if (b.shape.some((v, i) => v !== a.shape[i])) {
    throw new Error(`ssimTorchmetricsTensor: shapes differ [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
  }
  if (height <= RADIUS || width <= RADIUS) throw new Error(`ssimTorchmetricsTensor: image ${height}×${width} is smaller than the reflect pad + 1`);
  const c1 = (0.01 * dataRange) ** 2;
  const c2 = (0.03 * dataRange) ** 2;
  return tf.tidy(() => {
    const alongWidth = tf.tensor2d(reflectFilterMatrix(width), [width, width]);
    const alongHeight = tf.tensor2d(reflectFilterMatrix(height), [height, height]);
    const x = tf.cast(a, 'float32');
    const y = tf.cast(b, 'float32');
    const stacked = tf.concat([x, y, tf.mul(x, x), tf.mul(y, y), tf.mul(x, y)], 0); // [5B, H, W, C]
    const n = 5 * batch;
    const rows = tf.reshape(tf.transpose(stacked, [0, 3, 1, 2]), [n * channels * height, width]); // [5B·C·H, W]
    const horizontal = tf.reshape(tf.matMul(rows, alongWidth), [n * channels, height, width]); // [5B·C, H, W]
    const columns = tf.reshape(tf.transpose(horizontal, [0, 2, 1]), [n * channels * width, height]); // [5B·C·W, H]
    const filtered = tf.reshape(tf.matMul(columns, alongHeight), [n, channels, width, height]); // [5B, C, W, H]
    const [muX, muY, eXX, eYY, eXY] = tf.split(filtered, 5, 0); // each [B, C, W, H]
    const muXX = tf.mul(muX, muX);
    const muYY = tf.mul(muY, muY);
    const muXY = tf.mul(muX, muY);
    let varX = tf.sub(eXX, muXX);
    let varY = tf.sub(eYY, muYY);
    if (border === 'full') {
      varX = tf.relu(varX);
      varY = tf.relu(varY);
    }
    const cov = tf.sub(eXY, muXY);
    const numerator = tf.mul(tf.add(tf.mul(muXY, 2), c1), tf.add(tf.mul(cov, 2), c2));
    const denominator = tf.mul(tf.add(tf.add(muXX, muYY), c1), tf.add(tf.add(varX, varY), c2));
    let map = tf.div(numerator, denominator) as tf.Tensor4D; // [B, C, W, H]
    if (border === 'crop') map = tf.slice(map, [0, 0, RADIUS, RADIUS], [batch, channels, width - 2 * RADIUS, height - 2 * RADIUS]);
    return tf.mean(map, [1, 2, 3]) as tf.Tensor1D;
  });
}

/** [n, n] matrix F with (row · F)[dst] = Σ_t taps[t] · row[fold(dst + t − r)] under torch reflect padding. */
function reflectFilterMatrix(n: number): Float32Array {
  const taps = gaussianTaps(RADIUS, SIGMA);
  const m = new Float64Array(n * n);
  for (let dst = 0; dst < n; dst++) {
    for (let t = 0; t < taps.length; t++) m[foldIndex(dst + t - RADIUS, n, 'mirror') * n + dst] += taps[t];
  }
  return Float32Array.from(m);
}
