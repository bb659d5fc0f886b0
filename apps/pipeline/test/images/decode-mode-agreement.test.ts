/** tools/testing/decode-mode-agreement.ts: the fast-vs-exact token agreement helper run on trained checkpoints. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { FAST_DECODE_CONTRACT } from '@vqrae/data';
import { createVqrae, presetConfig } from '@vqrae/tokenizer';
import { decodeModeAgreement } from '../../../../tools/testing/decode-mode-agreement.js';
import { largePhotoJpeg } from '../../../../tools/testing/large-photos.js';

test('decodeModeAgreement: per-image positions and input PSNR, no tensor left behind', async () => {
  const baseline = tf.memory().numTensors;
  const model = await createVqrae(presetConfig('tiny'), { seed: 1 });
  try {
    const images = [];
    for (let i = 0; i < 3; i++) images.push({ key: `p${i}`, bytes: await largePhotoJpeg(i, 1024, 768) }); // → center 32: ratio 24 (at ratio 12, 512×384, p1 is 37 dB: see README)
    const rows = await decodeModeAgreement(model, images, 'center', 2); // batches of 2 and 1
    assert.deepEqual(rows.map((r) => r.key), ['p0', 'p1', 'p2']);
    for (const r of rows) {
      assert.equal(r.positions, model.tokensPerImage);
      assert.ok(r.same >= 0 && r.same <= r.positions);
      assert.ok(r.inputPsnrDb >= FAST_DECODE_CONTRACT.minPsnrDb && r.inputPsnrDb < 100, `${r.key}: ${r.inputPsnrDb} dB`);
    }
    // an image whose fast and exact decodes are identical (no shrink-on-load: 48×36 → 32) agrees everywhere
    const [small] = await decodeModeAgreement(model, [{ key: 'small', bytes: await largePhotoJpeg(0, 48, 36) }], 'center');
    assert.equal(small!.same, small!.positions);
    assert.equal(small!.inputPsnrDb, 100); // identical (the MSE floor of model-spec 8.2)
  } finally {
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, baseline);
});
