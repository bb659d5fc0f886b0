import '@tensorflow/tfjs';
import { readMomentsNpz, frechetDistance } from './evalsrc/index.js';
const a = await readMomentsNpz('/tmp/evs/single/reconstruction-moments.npz');
const b = await readMomentsNpz('/tmp/evs/single/reference-moments.npz');
for (const method of ['eigen', 'auto'] as const) {
  const t = performance.now();
  try { console.log(method, frechetDistance(a.moments.toGaussian(), b.moments.toGaussian(), { method }), performance.now() - t); } catch (e) { console.log(method, String(e)); }
}
