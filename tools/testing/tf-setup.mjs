// Test-process setup: loads the tfjs union package once (chained ops + gradients registered on the single
// tfjs-core instance) and selects the backend tests run on. Libraries never do this; only the app and tests do.
// VQRAE_TEST_BACKEND=cpu|wasm (default wasm: the backend this project is developed and measured on).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const wanted = process.env.VQRAE_TEST_BACKEND ?? 'wasm';
if (!(await tf.setBackend(wanted))) throw new Error(`test setup: backend '${wanted}' could not be initialised`);
await tf.ready();
