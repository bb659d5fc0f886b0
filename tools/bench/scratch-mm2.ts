// SCRATCH (delete)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm'); await tf.ready();
function t(label: string, f: () => tf.Tensor) {
  f().dispose(); const ts: number[] = [];
  for (let i = 0; i < 3; i++) { const s = performance.now(); const o = f(); o.dataSync(); o.dispose(); ts.push(performance.now() - s); }
  ts.sort((a, b) => a - b); console.log(`${label}: ${ts[1].toFixed(1)} ms`);
}
for (const [g, n, d] of [[24, 197, 64], [48, 256, 64]]) {
  const q = tf.randomNormal([g, n, d]); const kt = tf.randomNormal([g, d, n]); const p = tf.randomNormal([g, n, n]); const v = tf.randomNormal([g, n, d]);
  t(`unstack only p`, () => tf.tidy(() => tf.addN(tf.unstack(p).slice(0, 2))));
  t(`slice only p`, () => tf.tidy(() => { const parts = []; for (let i = 0; i < g; i++) parts.push(tf.reshape(tf.slice(p, [i, 0, 0], [1, n, n]), [n, n])); return tf.addN(parts.slice(0, 2)); }));
  t(`concat2d axis0`, () => tf.tidy(() => { const parts = []; for (let i = 0; i < g; i++) parts.push(tf.reshape(tf.slice(p, [i, 0, 0], [1, n, n]), [n, n])); return tf.concat(parts, 0); }));
  t(`slice+2D pv + concat`, () => tf.tidy(() => { const parts = []; for (let i = 0; i < g; i++) parts.push(tf.matMul(tf.reshape(tf.slice(p, [i, 0, 0], [1, n, n]), [n, n]) as tf.Tensor2D, tf.reshape(tf.slice(v, [i, 0, 0], [1, n, d]), [n, d]) as tf.Tensor2D)); return tf.reshape(tf.concat(parts, 0), [g, n, d]); }));
  t(`slice+2D qkT + concat`, () => tf.tidy(() => { const parts = []; for (let i = 0; i < g; i++) parts.push(tf.matMul(tf.reshape(tf.slice(q, [i, 0, 0], [1, n, d]), [n, d]) as tf.Tensor2D, tf.reshape(tf.slice(kt, [i, 0, 0], [1, d, n]), [d, n]) as tf.Tensor2D)); return tf.reshape(tf.concat(parts, 0), [g, n, n]); }));
}
