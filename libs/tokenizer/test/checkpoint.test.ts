/** Checkpoint round trip, strict loading errors, trainable sets per stage, parameter counts. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile, writeSafetensors } from '@vqrae/nn';
import { countParams, createVqrae, loadCheckpoint, presetConfig, saveCheckpoint, type VqraeModel } from '../src/index.js';

describe('checkpoints', () => {
  let dir: string;
  let model: VqraeModel;
  let ckpt: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vqrae-tokenizer-'));
    model = await createVqrae(presetConfig('tiny'), { seed: 11 });
    ckpt = path.join(dir, 'tiny.safetensors');
    await saveCheckpoint(model, ckpt, { metadata: { step: '0' } });
  });
  after(async () => {
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('round trip: same names, config and bit-identical outputs', async () => {
    const loaded = await loadCheckpoint(ckpt);
    assert.deepEqual(loaded.config, model.config);
    assert.deepEqual(loaded.params.names().sort(), model.params.names().sort());
    tf.tidy(() => {
      const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 12) as tf.Tensor4D;
      const a = model.forward(images);
      const b = loaded.forward(images);
      assert.deepEqual(Array.from(b.reconstruction.dataSync()), Array.from(a.reconstruction.dataSync()));
      assert.deepEqual(Array.from(b.quantization.indices.dataSync()), Array.from(a.quantization.indices.dataSync()));
    });
    loaded.dispose();
    const file = await SafetensorsFile.open(ckpt);
    assert.equal(file.metadata.step, '0');
    assert.equal(file.metadata['vqrae.encoder_weights'], 'embedded');
    assert.ok(file.keys('vision_model.').length > 0 && file.keys('decoder.decoder_pos_embed').length === 1);
    await file.close();
  });

  it('F16 checkpoint loads (half-precision tolerance)', async () => {
    const half = path.join(dir, 'tiny-f16.safetensors');
    await saveCheckpoint(model, half, { dtype: 'F16' });
    const loaded = await loadCheckpoint(half);
    tf.tidy(() => {
      const images = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 13) as tf.Tensor4D;
      const a = model.forward(images).reconstruction;
      const b = loaded.forward(images).reconstruction;
      const err = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(a)).dataSync()[0];
      assert.ok(err < 2e-2, `relative error ${err}`);
    });
    loaded.dispose();
  });

  it('same seed → identical weights; different seed → different', async () => {
    const again = await createVqrae(presetConfig('tiny'), { seed: 11 });
    const other = await createVqrae(presetConfig('tiny'), { seed: 12 });
    const key = 'decoder.decoder_layers.0.attention.attention.query.weight';
    assert.deepEqual(Array.from(again.params.get(key).dataSync()), Array.from(model.params.get(key).dataSync()));
    assert.notDeepEqual(Array.from(other.params.get(key).dataSync()), Array.from(model.params.get(key).dataSync()));
    again.dispose();
    other.dispose();
  });

  it('strict load: one error listing missing, unexpected and mismatched keys', async () => {
    const file = await SafetensorsFile.open(ckpt);
    const tensors = await file.readAll();
    const metadata = { ...file.metadata };
    await file.close();
    const broken: Record<string, tf.Tensor> = { ...tensors };
    delete broken['quant_in.bias'];
    broken['decoder.extra.weight'] = tf.zeros([2]);
    broken['decoder.decoder_pred.bias'] = tf.zeros([47]);
    const bad = path.join(dir, 'broken.safetensors');
    await writeSafetensors(bad, broken, { metadata });
    await assert.rejects(loadCheckpoint(bad), (error: Error) => {
      assert.match(error.message, /loadCheckpoint/);
      assert.match(error.message, /quant_in\.bias/);
      assert.match(error.message, /decoder\.extra\.weight/);
      assert.match(error.message, /decoder\.decoder_pred\.bias/);
      return true;
    });
    const noMeta = path.join(dir, 'nometa.safetensors');
    await writeSafetensors(noMeta, tensors);
    await assert.rejects(loadCheckpoint(noMeta), /not a VQRAE checkpoint/);
    tf.dispose([...Object.values(tensors), broken['decoder.extra.weight'], broken['decoder.decoder_pred.bias']]);
  });

  it('trainable sets: stage 1 freezes the encoder, stage 2 trains it, C never trains', () => {
    const names = (m: VqraeModel) => [...m.trainableVariables().keys()];
    model.setStage('stage1');
    const stage1 = names(model);
    assert.ok(stage1.every((n) => !n.startsWith('vision_model.')));
    assert.ok(stage1.includes('quant_in.weight') && stage1.includes('quantizer.embedding_proj.weight') && stage1.includes('decoder.decoder_embed.weight'));
    model.setStage('stage2');
    const stage2 = names(model);
    assert.ok(stage2.includes('vision_model.embeddings.patch_embedding.weight'));
    for (const list of [stage1, stage2]) {
      assert.ok(!list.includes('quantizer.embedding.weight'));
      assert.ok(!list.includes('decoder.decoder_pos_embed'));
    }
    model.setStage('stage1');
  });

  it('parameter counts of the presets', () => {
    const tiny = countParams(presetConfig('tiny'));
    assert.equal(tiny.total, model.params.numParams() - tiny.decoderPositionTable);
    assert.equal(tiny.codebook, 512 * 96);
    assert.equal(tiny.quantizerTrainable, 96 * 64 + 96 + 96 * 96 + 96);
    const paper = countParams(presetConfig('siglip2-so400m-p16-256-c16384'));
    // spec §2.3: so400m tower without MAP head ≈ 412.65 M (conv, pos, 27 layers, post-LN)
    assert.equal(paper.encoder, 884_736 + 1_152 + 294_912 + 27 * 15_239_504 + 2_304);
    assert.equal(paper.codebook, 16384 * 1536);
    assert.equal(paper.quantizerTrainable, 1536 * 1536 + 1536 + 1536 * 1152 + 1536);
  });
});
