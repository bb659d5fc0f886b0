/** tools/testing/decode-mode-agreement.ts: token agreement of decode variants with `exact`, run on trained checkpoints. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { FAST_DECODE_CONTRACT } from '@vqrae/data';
import { createVqrae, presetConfig } from '@vqrae/tokenizer';
import { measureAgreement } from '../../../../tools/testing/decode-mode-agreement.js';
import { parseVariant } from '../../../../tools/testing/agreement-variants.js';
import { largePhotoJpeg } from '../../../../tools/testing/large-photos.js';

/** PSNR of an image against itself with ±1 on every value (MSE 1): 20·log10(255). */
const UNIT_NOISE_DB = 20 * Math.log10(255);

test('measureAgreement: exact row, fast / fast-h2 / ±1 noise / PIL-port rows with positions and input PSNR, no tensor left behind', async () => {
  const baseline = tf.memory().numTensors;
  const model = await createVqrae(presetConfig('tiny'), { seed: 1 });
  try {
    const images = [];
    for (let i = 0; i < 3; i++) images.push({ key: `p${i}`, bytes: await largePhotoJpeg(i, 1024, 768) }); // → center 32: ratio 24
    const { rows } = await measureAgreement(model, images, { protocol: 'center', variants: ['fast', 'fast-h2', 'noise', 'pil-port'], batch: 2, passes: 1 });
    assert.deepEqual(rows.map((r) => r.variant), ['exact', 'fast', 'fast-h2', 'noise', 'pil-port']);
    const [exact, fast, fastH2, noise, pilPort] = rows;
    for (const r of rows) {
      assert.equal(r.positions, 3 * model.tokensPerImage);
      assert.ok(r.same >= 0 && r.same <= r.positions, `${r.variant}: ${r.same}`);
      assert.ok(r.cpuMsPerImage! > 0, `${r.variant}: CPU measured`);
    }
    assert.equal(exact!.same, exact!.positions);
    assert.equal(exact!.minPsnrDb, 100);
    for (const r of [fast!, fastH2!, pilPort!]) assert.ok(r.minPsnrDb >= FAST_DECODE_CONTRACT.minPsnrDb && r.minPsnrDb < 100, `${r.variant}: ${r.minPsnrDb} dB`);
    assert.ok(fastH2!.meanPsnrDb > fast!.meanPsnrDb, `more headroom is closer to exact: ${fastH2!.meanPsnrDb} vs ${fast!.meanPsnrDb} dB`);
    // ±1 on every value: MSE 1 except where clamping at 0/255 removes the step (then a little higher)
    assert.ok(noise!.minPsnrDb >= UNIT_NOISE_DB - 1e-9 && noise!.minPsnrDb < UNIT_NOISE_DB + 0.5, `noise: ${noise!.minPsnrDb} dB`);
    // an image whose fast and exact decodes are identical (no shrink-on-load: 48×36 → 32) agrees everywhere
    const small = await measureAgreement(model, [{ key: 'small', bytes: await largePhotoJpeg(0, 48, 36) }], { protocol: 'center', variants: ['fast'], passes: 1 });
    assert.equal(small.rows[1]!.same, small.rows[1]!.positions);
    assert.equal(small.rows[1]!.minPsnrDb, 100); // identical (the MSE floor of model-spec 8.2)
  } finally {
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, baseline);
});

test('measureAgreement --protocol train: one random-resized crop per image and epoch, fast close to exact', async () => {
  const baseline = tf.memory().numTensors;
  const model = await createVqrae(presetConfig('tiny'), { seed: 1 });
  try {
    const images = [{ key: 'big', bytes: await largePhotoJpeg(1, 1024, 768) }]; // box ≥ 0.59·768 = 454 → 32: the fast crop applies
    const { rows } = await measureAgreement(model, images, { protocol: 'train', variants: ['fast', 'fast-h4'], epochs: 2, passes: 1 });
    assert.deepEqual(rows.map((r) => [r.variant, r.positions]), [['exact', 2 * model.tokensPerImage], ['fast', 2 * model.tokensPerImage], ['fast-h4', 2 * model.tokensPerImage]]);
    // tiny's 32 px input: below 64 px the 40 dB bound does not hold (37–42 dB, README "Decode modes")
    assert.ok(rows[1]!.minPsnrDb >= 35 && rows[1]!.minPsnrDb < 100, `fast: ${rows[1]!.minPsnrDb} dB`);
  } finally {
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, baseline);
});

test('parseVariant: headroom names parse, unknown names and centre-only variants under train fail naming the flag', () => {
  assert.equal(parseVariant('fast-h2.5', 'center').name, 'fast-h2.5');
  assert.equal(parseVariant('pil', 'center').decode, undefined);
  assert.throws(() => parseVariant('fast-hx', 'center'), /unknown --compare variant 'fast-hx'/);
  assert.throws(() => parseVariant('pil-port', 'train'), /--compare pil-port needs a centre protocol/);
  assert.throws(() => parseVariant('pil', 'adm'), /--compare pil implements the center protocol only/);
});
