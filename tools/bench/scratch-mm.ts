// SCRATCH (delete): batched vs unstacked matMul forward on wasm
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
  t(`batched qkT ${g}x${n}x${d}`, () => tf.matMul(q as tf.Tensor3D, kt as tf.Tensor3D));
  t(`unstacked qkT`, () => tf.tidy(() => { const a = tf.unstack(q); const b = tf.unstack(kt); return tf.stack(a.map((x, i) => tf.matMul(x as tf.Tensor2D, b[i] as tf.Tensor2D))); }));
  t(`batched pv`, () => tf.matMul(p as tf.Tensor3D, v as tf.Tensor3D));
  t(`unstacked pv`, () => tf.tidy(() => { const a = tf.unstack(p); const b = tf.unstack(v); return tf.stack(a.map((x, i) => tf.matMul(x as tf.Tensor2D, b[i] as tf.Tensor2D))); }));
  t(`unstack only`, () => tf.tidy(() => { const a = tf.unstack(p); const b = tf.unstack(v); return tf.stack(a.map((x, i) => tf.add(x, 0))); }));
  // one big 2-D matmul on p's rows times a single v slice (upper bound of 2-D speed)
  const p2 = tf.reshape(p, [g * n, n]); const v0 = tf.randomNormal([n, d]);
  t(`2-D same flops [${g * n},${n}]x[${n},${d}]`, () => tf.matMul(p2 as tf.Tensor2D, v0 as tf.Tensor2D));
  const q2 = tf.reshape(q, [g * n, d]); const k0 = tf.randomNormal([d, n]);
  t(`2-D same flops [${g * n},${d}]x[${d},${n}]`, () => tf.matMul(q2 as tf.Tensor2D, k0 as tf.Tensor2D));
}
