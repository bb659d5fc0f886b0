/**
 * Opt-in (VQRAE_LONG_TESTS=1): the paper preset `siglip2-so400m-p16-256-c16384` on random weights (~856 M
 * parameters, ~3.4 GB float32) runs one 256×256 image through encoder (27 layers), SimVQ (k = 16384, e = 1536) and
 * decoder: shapes and finiteness only.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { countParams, createVqrae, presetConfig } from '../src/index.js';

it('siglip2-so400m-p16-256-c16384: one 256 px image end to end (random weights)', async () => {
  const config = presetConfig('siglip2-so400m-p16-256-c16384');
  const started = Date.now();
  const model = await createVqrae(config, { seed: 0 });
  const built = Date.now();
  assert.equal(model.params.numParams() - countParams(config).decoderPositionTable, countParams(config).total);
  tf.tidy(() => {
    const images = tf.randomUniform([1, 256, 256, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const out = model.forward(images);
    assert.deepEqual(out.features.shape, [1, 256, 1152]);
    assert.deepEqual(out.quantization.quantized.shape, [1, 256, 1536]);
    assert.deepEqual(out.quantization.indices.shape, [1, 256]);
    assert.deepEqual(out.reconstruction.shape, [1, 256, 256, 3]);
    for (const t of [out.features, out.quantization.quantized, out.reconstruction, out.quantization.losses.total]) {
      assert.ok(tf.all(tf.isFinite(t)).dataSync()[0], 'finite');
    }
  });
  console.log(`so400m preset: build ${((built - started) / 1000).toFixed(1)} s, forward ${((Date.now() - built) / 1000).toFixed(1)} s`);
  model.dispose();
});
