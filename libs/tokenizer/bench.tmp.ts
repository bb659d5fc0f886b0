import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, Rng } from '@vqrae/nn';
import { SimVQ, createVqrae, presetConfig } from './src/index.js';

async function time(label: string, n: number, unit: string, f: () => tf.Tensor | void) {
  const warm = f(); if (warm) { await warm.data(); warm.dispose(); }
  const t0 = performance.now();
  const reps = 2;
  for (let i = 0; i < reps; i++) { const r = f(); if (r) { await r.data(); r.dispose(); } }
  const ms = (performance.now() - t0) / reps;
  console.log(`${label}: ${ms.toFixed(0)} ms/call, ${(n / ms * 1000).toFixed(1)} ${unit}/s`);
}

for (const [k, e] of [[16384, 1536], [4096, 768]]) {
  const store = new ParamStore();
  const vq = new SimVQ({ codebookSize: k, codebookDim: e, beta: 0.25, codebookInitStd: e ** -0.5 }, e);
  vq.initParams(store, new Rng(1));
  const feats = tf.randomNormal([2, 256, e]) as tf.Tensor3D;
  await time(`SimVQ quantize k=${k} e=${e} (train fwd incl. C' = C·Wᵀ+b), 512 tokens`, 512, 'tokens', () => { const o = vq.quantize(store, feats); tf.dispose([o.quantized, o.projected, o.losses.commitment, o.losses.codebook, o.losses.total, o.codeCounts]); return o.indices; });
  await time(`SimVQ indicesFor (cached C') k=${k} e=${e}, 512 tokens`, 512, 'tokens', () => vq.indicesFor(store, feats));
  vq.dispose(); store.dispose(); feats.dispose();
}
const model = await createVqrae(presetConfig('small-cpu'), { seed: 0 });
const images = tf.randomUniform([4, 224, 224, 3]) as tf.Tensor4D;
await time('small-cpu encoder (MobileNetV2 to block_13), 4 images', 4, 'images', () => model.features(images));
const idx = model.tokenize(images);
await time('small-cpu decode(indices), 4 images', 4, 'images', () => model.decode(idx));
console.log(tf.getBackend());
