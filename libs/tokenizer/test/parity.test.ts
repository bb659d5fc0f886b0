/**
 * Parity with the plain-PyTorch reference (tools/fixtures/tokenizer/make_parity_fixtures.py): HF SigLIP tower,
 * SimVQ and the RAE decoder on shared random weights with the real key names. float32, 1e-4 relative.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadCheckpoint, loadHfSiglip, openFeatureEncoder, type VqraeModel } from '../src/index.js';
import { FIXTURES, assertClose, disposeAll, readFixture } from './helpers.js';

const TOL = 1e-4;

describe('PyTorch parity', () => {
  let io: Record<string, tf.Tensor>;
  before(async () => {
    io = await readFixture('vqrae-parity-io.safetensors');
  });
  after(() => disposeAll(io));

  it('HF SigLIP folder: vision tower features (post-LN with and without affine)', async () => {
    const before = tf.memory().numTensors;
    for (const postLnAffine of [true, false]) {
      const { encoder, params } = await loadHfSiglip({ dir: path.join(FIXTURES, 'siglip-parity') }, { postLnAffine });
      const features = encoder.encode(params, io.images as tf.Tensor4D);
      assertClose(features, postLnAffine ? io.features : io.features_no_affine, TOL, `features (postLnAffine ${postLnAffine})`);
      features.dispose();
      params.dispose();
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('feature encoder from a HF folder and from a checkpoint: same Z_I, mean pooling', async () => {
    for (const source of [
      { kind: 'hf' as const, dir: path.join(FIXTURES, 'siglip-parity') },
      { kind: 'checkpoint' as const, path: path.join(FIXTURES, 'vqrae-parity.safetensors') },
    ]) {
      const encoder = await openFeatureEncoder(source);
      assert.equal(encoder.geometry.gridSize, 4);
      assert.match(encoder.identity.sha256, /^[0-9a-f]{64}$/);
      tf.tidy(() => {
        assertClose(encoder.encode(io.images as tf.Tensor4D, 'none'), io.features, TOL, `${source.kind} features`);
        assertClose(encoder.encode(io.images as tf.Tensor4D, 'mean'), tf.mean(io.features, 1), TOL, `${source.kind} pooled`);
      });
      encoder.dispose();
    }
  });

  it('HF SigLIP BF16 weights load (bf16 rounding tolerance)', async () => {
    const { encoder, params } = await loadHfSiglip({ dir: path.join(FIXTURES, 'siglip-parity'), weightsFile: 'model.bf16.safetensors' });
    const features = encoder.encode(params, io.images as tf.Tensor4D);
    assertClose(features, io.features, 5e-2, 'bf16 features');
    features.dispose();
    params.dispose();
  });

  describe('whole VQRAE checkpoint written by PyTorch', () => {
    let model: VqraeModel;
    before(async () => {
      model = await loadCheckpoint(path.join(FIXTURES, 'vqrae-parity.safetensors'));
    });
    after(() => model.dispose());

    it('forward: features, z, indices, codes, losses, decoder tokens, reconstruction', () => {
      const before = tf.memory().numTensors;
      const out = model.forward(io.images as tf.Tensor4D);
      assertClose(out.features, io.features, TOL, 'features');
      assertClose(out.quantization.projected, io.z, TOL, 'z');
      assert.deepEqual(Array.from(out.quantization.indices.dataSync()), Array.from(io.indices.dataSync()), 'indices');
      assertClose(out.quantization.quantized, io.quantized, TOL, 'quantized');
      tf.tidy(() => {
        assertClose(out.quantization.losses.commitment, tf.reshape(io.loss_commitment, []), TOL, 'commitment');
        assertClose(out.quantization.losses.codebook, tf.reshape(io.loss_codebook, []), TOL, 'codebook');
        assertClose(out.quantization.losses.total, tf.reshape(io.loss_total, []), TOL, 'total');
      });
      assertClose(out.reconstruction, io.reconstruction, TOL, 'reconstruction');
      const counts = out.quantization.codeCounts.dataSync();
      assert.equal(Array.from(counts).reduce((a, b) => a + b, 0), io.indices.size);
      disposeAll(out as unknown as Record<string, unknown>);
      assert.equal(tf.memory().numTensors, before);
    });

    it('decoder tokens and projected codebook', () => {
      const tokens = model.decoder.predictTokens(model.params, io.quantized as tf.Tensor3D);
      assertClose(tokens, io.decoder_tokens, TOL, 'decoder tokens');
      tokens.dispose();
      assertClose(model.quantizer.projectedCodebook(model.params), io.projected_codebook, TOL, 'C\'');
    });

    it('decode(indices) and tokenize', () => {
      const decoded = model.decode(io.indices as tf.Tensor2D);
      assertClose(decoded, io.decoded_from_indices, TOL, 'decode(indices)');
      const indices = model.tokenize(io.images as tf.Tensor4D);
      assert.deepEqual(Array.from(indices.dataSync()), Array.from(io.indices.dataSync()), 'tokenize indices');
      tf.dispose([decoded, indices]);
    });

    it('gradients of loss_total + mean(reconstruction²) (stage 2: encoder trainable)', () => {
      model.setStage('stage2');
      model.quantizer.invalidateCache();
      const baseline = tf.memory().numTensors;
      const vars = model.trainableVariables();
      const { value, grads } = tf.variableGrads(() => {
        const out = model.forward(io.images as tf.Tensor4D);
        return tf.add(out.quantization.losses.total, tf.mean(tf.square(out.reconstruction))) as tf.Scalar;
      }, [...vars.values()]);
      tf.tidy(() => assertClose(value, tf.reshape(io.objective, []), TOL, 'objective'));
      const byName = new Map([...vars.entries()].map(([name, v]) => [v.name, name]));
      const gradsByName: Record<string, tf.Tensor> = {};
      for (const [varName, g] of Object.entries(grads)) gradsByName[byName.get(varName) ?? varName] = g;
      for (const key of Object.keys(io).filter((k) => k.startsWith('grad.'))) {
        const name = key.slice('grad.'.length);
        assert.ok(gradsByName[name] !== undefined, `no gradient for ${name}`);
        assertClose(gradsByName[name], io[key], TOL, `grad ${name}`);
      }
      assert.ok(!(model.trainableVariables().has('quantizer.embedding.weight')), 'codebook C must not be trainable');
      tf.dispose([value, ...Object.values(grads)]);
      assert.equal(tf.memory().numTensors, baseline, 'a training step leaves no tensors behind');
      model.setStage('stage1');
    });
  });
});
