// SCRATCH (delete): per-kernel profile on wasm
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ParamStore, Rng } from '@vqrae/nn';
import { createVqrae, nearestCodeIndices, presetConfig, SIGLIP_ENCODER_PRESETS, SiglipEncoder, VitDecoder } from '@vqrae/tokenizer';
await tf.setBackend('wasm'); await tf.ready();
const which = process.argv[2] ?? 'dec-small';
async function prof(label: string, f: () => tf.Tensor) {
  f().dispose();
  const info = await tf.profile(() => { const o = f(); o.dataSync(); return o; });
  const agg = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (const k of info.kernels) {
    const ms = await (k.kernelTimeMs as unknown as Promise<number> | number);
    const key = `${k.name} ${k.inputShapes.map((s) => `[${s?.join(',')}]`).join('')}`;
    const a = agg.get(key) ?? { ms: 0, n: 0 }; a.ms += Number(ms); a.n++; agg.set(key, a); total += Number(ms);
  }
  console.log(`${label}: kernels total ${total.toFixed(0)} ms, ${info.kernels.length} kernels`);
  for (const [k, v] of [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`  ${v.ms.toFixed(1)} ms  x${v.n}  ${k}`);
}
if (which === 'search') {
  for (const [k, e] of [[4096, 768], [16384, 1536]]) {
    const z = tf.randomNormal([1024, e]) as tf.Tensor2D; const ct = tf.randomNormal([e, k]) as tf.Tensor2D; const n = tf.sum(tf.square(ct), 0) as tf.Tensor1D;
    await prof(`search ${k}x${e}`, () => nearestCodeIndices(z, ct, n));
  }
} else if (which === 'dec-small') {
  const cfg = presetConfig('small-cpu');
  const model = await createVqrae(cfg, { seed: 1 });
  const x = tf.randomNormal([8, 196, 256]) as tf.Tensor3D;
  await prof('dec-small', () => model.decoder.decode(model.params, x));
  const img = tf.randomUniform([8, 224, 224, 3]) as tf.Tensor4D;
  await prof('enc-small', () => model.features(img));
} else {
  const enc = new SiglipEncoder(SIGLIP_ENCODER_PRESETS['siglip2-base-patch16-256']);
  const store = new ParamStore(); enc.initParams(store, new Rng(1), { trainable: false });
  const img = tf.randomUniform([4, 256, 256, 3]) as tf.Tensor4D;
  await prof('enc-vit-b', () => enc.encode(store, img));
}
