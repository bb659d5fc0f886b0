// SCRATCH (delete)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm'); await tf.ready();
function t(label: string, f: () => tf.Tensor) {
  f().dispose(); const ts: number[] = [];
  for (let i = 0; i < 3; i++) { const s = performance.now(); const o = f(); o.dataSync(); o.dispose(); ts.push(performance.now() - s); }
  ts.sort((a, b) => a - b); console.log(`${label}: ${ts[1].toFixed(1)} ms`);
}
const r = 128, k = 16384;
const s = tf.randomNormal([r, k]); const m = tf.min(s, 1, true); const mk = tf.broadcastTo(m, [r, k]); const row = tf.range(0, k, 1, 'int32');
const cols = tf.broadcastTo(row, [r, k]);
t('equal bcast [r,1]', () => tf.equal(s, m));
t('equal same shape', () => tf.equal(s, mk));
t('sub bcast [r,1]', () => tf.sub(s, m));
t('lessEqual bcast [r,1]', () => tf.lessEqual(s, m));
t('broadcastTo range', () => tf.broadcastTo(row, [r, k]));
t('add zeros+range (bcast last)', () => tf.add(tf.zeros([r, k], 'int32'), row));
t('argMin', () => tf.argMin(s, 1));
t('min', () => tf.min(s, 1));
t('where', () => tf.where(tf.equal(s, mk), cols, tf.fill([r, k], k, 'int32')));
t('transpose [r,k]', () => tf.transpose(s));
t('firstArgMin via sub+abs', () => tf.tidy(() => { const mn = tf.min(s, 1, true); const notMin = tf.cast(tf.greater(tf.sub(s, mn), 0), 'int32'); return tf.min(tf.add(tf.mul(notMin, k), row), 1); }));
