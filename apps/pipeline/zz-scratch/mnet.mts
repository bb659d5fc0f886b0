import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { openFeatureExtractor } from '../src/eval/feature-extractors.js';
await tf.setBackend('wasm');
const ex = await openFeatureExtractor({ kind: 'mobilenetv2' });
const x = tf.randomUniform([8, 224, 224, 3], 0, 255, 'int32') as tf.Tensor4D;
for (let i = 0; i < 3; i++) { const t = performance.now(); const f = await ex.extract(x, 'uint8'); await f.data(); f.dispose(); console.log('8 images', (performance.now() - t).toFixed(0), 'ms'); }
const y = tf.randomUniform([8, 32, 32, 3], 0, 255, 'int32') as tf.Tensor4D;
for (let i = 0; i < 2; i++) { const t = performance.now(); const f = await ex.extract(y, 'uint8'); await f.data(); f.dispose(); console.log('8 images 32px', (performance.now() - t).toFixed(0), 'ms'); }
