import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { sha256File } from '@vqrae/nn';
import { findShippedCheckpoint } from '@vqrae/tokenizer';
import { fixtureFile, measureShippedFixture, REFRESH_COMMAND, type ShippedFixture } from '../../../../tools/testing/shipped-fixture.js';

const NAME = 'small-cpu';

describe('the shipped small-cpu checkpoint (issue 15.5 regression)', () => {
  const entry = findShippedCheckpoint(NAME);
  const fixture = JSON.parse(fs.readFileSync(fixtureFile(NAME), 'utf8')) as ShippedFixture;

  test('its file matches the sha256 of its card, and the committed fixture was measured on it', async () => {
    assert.ok(entry, `assets/checkpoints/${NAME}.json is missing`);
    assert.equal(await sha256File(entry.file), entry.sha256, `${entry.file} does not match its card ${entry.card}`);
    assert.equal(fixture.sha256, entry.sha256, `${fixtureFile(NAME)} was measured on another ${NAME} checkpoint; regenerate it: ${REFRESH_COMMAND}`);
  });

  test('the ten bundled images (centre crop at the preset’s 224 px) give exactly the committed token ids, PSNR above the floor; no tensor leaks', async () => {
    assert.ok(entry);
    const before = tf.memory().numTensors;
    const measured = await measureShippedFixture(entry.file, NAME);
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(measured.protocol, { crop: 'center', size: 224 });
    assert.deepEqual(measured.images.map((i) => i.key), fixture.images.map((i) => i.key));
    assert.equal(measured.images.length, 10);
    for (const [b, image] of measured.images.entries()) {
      assert.deepEqual(image.tokens, fixture.images[b]!.tokens, `${image.key}: token ids differ from ${fixtureFile(NAME)} (if the change is intended: ${REFRESH_COMMAND})`);
    }
    assert.ok(measured.meanPsnr >= fixture.psnrFloor, `mean PSNR ${measured.meanPsnr.toFixed(3)} dB is below the floor ${fixture.psnrFloor.toFixed(3)} dB`);
  });
});
