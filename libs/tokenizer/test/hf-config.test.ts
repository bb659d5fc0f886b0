/** Hugging Face config.json parsing and strict vision-tower loading. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile, writeSafetensors } from '@vqrae/nn';
import { SIGLIP_ENCODER_PRESETS, loadHfSiglip, parseVqraeConfig, presetConfig, siglipConfigFromHf } from '../src/index.js';
import { FIXTURES } from './helpers.js';

describe('HF SigLIP config.json', () => {
  it('SiglipConfig (vision_config) and SiglipVisionConfig give the same encoder config; defaults fill gaps', () => {
    const vision = { model_type: 'siglip_vision_model', hidden_size: 1152, intermediate_size: 4304, num_hidden_layers: 27, num_attention_heads: 16, image_size: 256, patch_size: 16 };
    const nested = siglipConfigFromHf({ model_type: 'siglip', text_config: {}, vision_config: vision });
    assert.deepEqual(nested, SIGLIP_ENCODER_PRESETS['siglip2-so400m-patch16-256']);
    assert.deepEqual(siglipConfigFromHf(vision), nested);
    const base = siglipConfigFromHf({ model_type: 'siglip', vision_config: { image_size: 256 } }); // HF defaults = base
    assert.deepEqual(base, SIGLIP_ENCODER_PRESETS['siglip2-base-patch16-256']);
    assert.equal(siglipConfigFromHf(vision, { postLnAffine: false }).postLnAffine, false);
  });

  it('rejects NaFlex, unknown activations and inconsistent sizes with a message naming the file', () => {
    assert.throws(() => siglipConfigFromHf({ model_type: 'siglip2', vision_config: {} }, { source: 'x/config.json' }), /x\/config\.json.*NaFlex/);
    assert.throws(() => siglipConfigFromHf({ model_type: 'siglip', vision_config: { hidden_act: 'quick_gelu' } }), /hidden_act/);
    assert.throws(() => siglipConfigFromHf({ model_type: 'siglip', vision_config: { image_size: 250 } }), /multiple of patch_size/);
  });

  it('VQRAE config validation names the bad field', () => {
    const good = presetConfig('tiny');
    assert.deepEqual(parseVqraeConfig(JSON.parse(JSON.stringify(good))), good);
    assert.throws(() => parseVqraeConfig({ ...good, decoder: { ...good.decoder, hiddenSize: 66, numHeads: 2 } }), /decoder\.hiddenSize must be a multiple of 4/);
    assert.throws(() => parseVqraeConfig({ ...good, encoder: { ...good.encoder, kind: 'clip' } }), /unknown encoder\.kind/);
    assert.throws(() => presetConfig('huge'), /unknown preset 'huge' \(known: tiny, small-cpu/);
  });

  it('strict vision-tower load: a wrong shape or a missing key fails listing the keys; head and text keys are skipped', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vqrae-hf-'));
    try {
      const source = await SafetensorsFile.open(path.join(FIXTURES, 'siglip-parity/model.safetensors'));
      const tensors = await source.readAll();
      await source.close();
      const broken: Record<string, tf.Tensor> = { ...tensors };
      delete broken['vision_model.encoder.layers.1.mlp.fc2.bias'];
      broken['vision_model.post_layernorm.weight'] = tf.zeros([31]);
      await writeSafetensors(path.join(dir, 'model.safetensors'), broken);
      await copyFile(path.join(FIXTURES, 'siglip-parity/config.json'), path.join(dir, 'config.json'));
      await assert.rejects(loadHfSiglip({ dir }), (error: Error) => {
        assert.match(error.message, /loadHfSiglip/);
        assert.match(error.message, /layers\.1\.mlp\.fc2\.bias/);
        assert.match(error.message, /post_layernorm\.weight/);
        return true;
      });
      await writeFile(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'siglip2' }));
      await assert.rejects(loadHfSiglip({ dir }), /NaFlex/);
      tf.dispose([...Object.values(tensors), broken['vision_model.post_layernorm.weight']]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
