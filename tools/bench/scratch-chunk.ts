// SCRATCH (delete)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { firstArgMin, nearestCodeIndices } from '@vqrae/tokenizer';
await tf.setBackend('wasm'); await tf.ready();
const s = tf.tensor2d([[3, 1, 1, 2], [-Infinity, 0, -Infinity, 5], [2, 2, 2, 2], [5, 4, 3, 3]]);
console.log('ties', Array.from(firstArgMin(s).dataSync()), 'expect 1,0,0,2');
function t(label: string, f: () => tf.Tensor) {
  f().dispose(); const ts: number[] = [];
  for (let i = 0; i < 3; i++) { const s = performance.now(); const o = f(); o.dataSync(); o.dispose(); ts.push(performance.now() - s); }
  ts.sort((a, b) => a - b); console.log(`${label}: ${ts[1].toFixed(1)} ms`);
}
for (const [k, e] of [[4096, 768], [16384, 1536]]) {
  const z = tf.randomNormal([1024, e]) as tf.Tensor2D; const ct = tf.randomNormal([e, k]) as tf.Tensor2D; const n = tf.sum(tf.square(ct), 0) as tf.Tensor1D;
  for (const mi of [1, 2, 4, 8, 16]) t(`${k}x${e} chunk ${mi}Mi (${Math.floor(mi * 1048576 / k)} rows)`, () => nearestCodeIndices(z, ct, n, { maxChunkElements: mi * 1048576 }));
}
