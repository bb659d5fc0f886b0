/**
 * The token half of the fast-decode contract (`FAST_DECODE_CONTRACT`) on 2048×1536 photographs, centre crop:
 * (1) the untrained small-cpu (`createVqrae(presetConfig('small-cpu'))`: the packaged pretrained MobileNetV2 with a
 * seeded quantizer) gives the same code at ≥ `minTokenAgreement` of positions whether decoded `fast` or `exact`;
 * (2) for the shipped, trained small-cpu, fast moves no more tokens than the smallest possible change of the exact
 * input does (±1 grey level on every value): `minAgreementOverUnitNoise` (why not 99%: see `FAST_DECODE_CONTRACT`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { FAST_DECODE_CONTRACT, imagesToTensor, loadImage, type DecodeMode, type RgbImage } from '@vqrae/data';
import { createVqrae, loadCheckpoint, presetConfig, type VqraeModel } from '@vqrae/tokenizer';
import { withUnitNoise } from '../../../../tools/testing/agreement-variants.js';
import { WORKSPACE_ROOT } from '../../../../tools/testing/fixtures.js';
import { largePhotoJpeg } from '../../../../tools/testing/large-photos.js';

/** Share of equal codes at the same positions. */
function agreementOf(a: Int32Array, b: Int32Array): number {
  assert.equal(a.length, b.length);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same += 1;
  return same / a.length;
}

/** Codes `[B · N]` of some crops; every tensor disposed. */
function codesOf(model: VqraeModel, images: readonly RgbImage[]): Int32Array {
  const batch = imagesToTensor(images); // [B, S, S, 3] pixel01
  const encoded = model.encode(batch);
  const indices = encoded.indices.dataSync() as Int32Array; // [B, N]
  tf.dispose([batch, encoded.features, encoded.indices, encoded.quantized]);
  return indices;
}

/** Centre crops of `photos` decoded in `mode`. */
async function crops(photos: readonly Buffer[], size: number, mode: DecodeMode): Promise<RgbImage[]> {
  const out: RgbImage[] = [];
  for (const [i, jpeg] of photos.entries()) out.push(await loadImage(jpeg, { crop: { protocol: 'center', size }, decodeMode: mode }, `p${i}`));
  return out;
}

describe('decode modes: small-cpu tokens agree (fast vs exact)', () => {
  let model: VqraeModel;
  let baseline: number;
  const photos: Buffer[] = [];
  before(async () => {
    baseline = tf.memory().numTensors;
    model = await createVqrae(presetConfig('small-cpu'), { seed: 7 });
    for (let i = 0; i < 3; i++) photos.push(await largePhotoJpeg(i));
  });
  after(() => {
    model.dispose();
    assert.equal(tf.memory().numTensors, baseline, 'tensor count back to its baseline');
  });

  const tokens = async (mode: DecodeMode): Promise<Int32Array> => codesOf(model, await crops(photos, model.inputSize, mode));

  it(`≥ ${Math.round(FAST_DECODE_CONTRACT.minTokenAgreement * 100)}% of positions agree`, async () => {
    const exact = await tokens('exact');
    const fast = await tokens('fast');
    assert.equal(fast.length, exact.length);
    let same = 0;
    for (let i = 0; i < exact.length; i++) if (fast[i] === exact[i]) same += 1;
    const agreement = same / exact.length;
    console.log(`token agreement fast vs exact: ${same}/${exact.length} = ${(100 * agreement).toFixed(2)}%`);
    assert.ok(agreement >= FAST_DECODE_CONTRACT.minTokenAgreement, `agreement ${(100 * agreement).toFixed(2)}%`);
  });
});

describe('decode modes: the shipped small-cpu moves fewer tokens under fast than under ±1 noise', () => {
  it(`fast-vs-exact agreement ≥ ${FAST_DECODE_CONTRACT.minAgreementOverUnitNoise} × the exact-vs-(exact ± 1) agreement`, async () => {
    const baseline = tf.memory().numTensors;
    const model = await loadCheckpoint(path.join(WORKSPACE_ROOT, 'assets/checkpoints/small-cpu.safetensors'));
    try {
      const photos: Buffer[] = [];
      for (let i = 0; i < 3; i++) photos.push(await largePhotoJpeg(i));
      const exact = await crops(photos, model.inputSize, 'exact');
      const exactCodes = codesOf(model, exact);
      const fast = agreementOf(exactCodes, codesOf(model, await crops(photos, model.inputSize, 'fast')));
      const noise = agreementOf(exactCodes, codesOf(model, exact.map((image, i) => withUnitNoise(image, i))));
      console.log(`shipped small-cpu: fast vs exact ${(100 * fast).toFixed(2)}%, exact ± 1 vs exact ${(100 * noise).toFixed(2)}%`);
      assert.ok(fast < 1, 'fast is a different decode (not silently exact)');
      assert.ok(fast >= FAST_DECODE_CONTRACT.minAgreementOverUnitNoise * noise, `fast ${(100 * fast).toFixed(2)}% < ±1 noise ${(100 * noise).toFixed(2)}%`);
    } finally {
      model.dispose();
    }
    assert.equal(tf.memory().numTensors, baseline, 'tensor count back to its baseline');
  });
});
