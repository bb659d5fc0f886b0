import '@tensorflow/tfjs';
import { readMomentsNpz, frechetDistance } from '@vqrae/eval';
const a = await readMomentsNpz('/tmp/evs/single/reconstruction-moments.npz');
const b = await readMomentsNpz('/tmp/evs/single/reference-moments.npz');
for (const method of ['eigen', 'cholesky', 'auto'] as const) {
  try { console.log(method, frechetDistance(a.moments.toGaussian(), b.moments.toGaussian(), { method })); } catch (e) { console.log(method, String(e)); }
}
