import * as tf from '@tensorflow/tfjs-core';
const kept: tf.Tensor[] = [];
try {
  for (let i = 0; i < 8; i++) { kept.push(tf.zeros([128 * 1024 * 1024])); console.log(`allocated ${(i + 1) * 0.5} GiB on ${tf.getBackend()}`); }
} catch (e) { console.log('failed:', String(e).slice(0, 200)); }
tf.dispose(kept);
