/**
 * The plain learnable-codebook VQ (`quantizer.kind: 'vq'`): parity with the PyTorch re-implementation of VQGAN's
 * VectorQuantizer2 (tools/fixtures/tokenizer/make_vq_parity_fixtures.py; float32, 1e-4 relative as for SimVQ), its
 * init, its trainability, and the config plumbing that must leave SimVQ configs untouched.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, Rng, SafetensorsFile } from '@vqrae/nn';
import {
  QUANTIZER_KEYS,
  VQ_KEYS,
  VectorQuantizer,
  countParams,
  createQuantizer,
  createVqrae,
  parseQuantizerConfig,
  parseVqraeConfig,
  presetConfig,
  type QuantizerConfig,
  type VqraeConfig,
} from '../src/index.js';
import { FIXTURES, assertClose, disposeAll, readFixture } from './helpers.js';

const TOL = 1e-4;

/** The tiny preset with a plain VQ quantizer of the same size and width. */
function tinyVq(): VqraeConfig {
  const tiny = presetConfig('tiny');
  return { ...tiny, quantizer: { kind: 'vq', ...tiny.quantizer } };
}

describe('plain VQ: PyTorch parity (VectorQuantizer2, legacy=False)', () => {
  let io: Record<string, tf.Tensor>;
  let store: ParamStore;
  let quantizer: VectorQuantizer;
  before(async () => {
    io = await readFixture('vq-parity-io.safetensors');
    const file = await SafetensorsFile.open(path.join(FIXTURES, 'vq-parity.safetensors'));
    try {
      const config = parseQuantizerConfig(JSON.parse(file.metadata['vqrae.quantizer']!));
      const built = createQuantizer(config, Number(file.metadata['vqrae.input_width']));
      assert.ok(built instanceof VectorQuantizer, `kind 'vq' builds a VectorQuantizer, got ${built.kind}`);
      quantizer = built;
      store = new ParamStore();
      for (const [name, tensor] of Object.entries(await file.readAll())) store.add(name, tensor);
      assert.deepEqual(store.shapes(), quantizer.paramShapes(), 'the PyTorch state dict has exactly the VQ keys and shapes');
    } finally {
      await file.close();
    }
  });
  after(() => {
    quantizer.dispose();
    store.dispose();
    disposeAll(io);
  });

  it('forward: z, indices, straight-through codes, both loss terms, code counts', () => {
    const baseline = tf.memory().numTensors;
    const out = quantizer.quantize(store, io.features as tf.Tensor3D);
    assertClose(out.projected, io.z, TOL, 'z');
    assert.deepEqual(Array.from(out.indices.dataSync()), Array.from(io.indices.dataSync()), 'indices');
    assertClose(out.quantized, io.quantized, TOL, 'quantized');
    tf.tidy(() => {
      assertClose(out.losses.commitment, tf.reshape(io.loss_commitment, []), TOL, 'commitment');
      assertClose(out.losses.codebook, tf.reshape(io.loss_codebook, []), TOL, 'codebook');
      assertClose(out.losses.total, tf.reshape(io.loss_total, []), TOL, 'total');
    });
    const counts = Array.from(out.codeCounts.dataSync());
    const expected = new Array<number>(32).fill(0);
    for (const i of io.indices.dataSync()) expected[i]! += 1;
    assert.deepEqual(counts, expected, 'code counts = histogram of the indices');
    disposeAll(out as unknown as Record<string, unknown>);
    assert.equal(tf.memory().numTensors, baseline);
  });

  it('gradients of loss_total + mean(quantized · probe) w.r.t. Z_I, quant_in and the codebook (repeated codes summed)', () => {
    const baseline = tf.memory().numTensors;
    const vars = store.trainableVariables();
    const features = tf.variable(io.features, true, 'vq-parity-features');
    const named = new Map([...vars.entries()].map(([name, v]) => [v.name, name]));
    named.set(features.name, 'features');
    const { value, grads } = tf.variableGrads(() => {
      const out = quantizer.quantize(store, features as unknown as tf.Tensor3D);
      return tf.add(out.losses.total, tf.mean(tf.mul(out.quantized, io.probe))) as tf.Scalar;
    }, [...vars.values(), features]);
    tf.tidy(() => assertClose(value, tf.reshape(io.objective, []), TOL, 'objective'));
    const byName = Object.fromEntries(Object.entries(grads).map(([varName, g]) => [named.get(varName) ?? varName, g]));
    const expected = Object.keys(io).filter((k) => k.startsWith('grad.'));
    assert.equal(expected.length, 4);
    for (const key of expected) {
      const name = key.slice('grad.'.length);
      assert.ok(byName[name] !== undefined, `no gradient for ${name}`);
      assertClose(byName[name]!, io[key]!, TOL, `grad ${name}`);
    }
    tf.dispose([value, features, ...Object.values(grads)]);
    assert.equal(tf.memory().numTensors, baseline, 'a gradient step leaves no tensors behind');
  });

  it('inference path: indicesFor = quantize indices, lookup = codebook rows; cache freed by invalidateCache', () => {
    const baseline = tf.memory().numTensors;
    tf.tidy(() => {
      const indices = quantizer.indicesFor(store, io.features as tf.Tensor3D);
      assert.deepEqual(Array.from(indices.dataSync()), Array.from(io.indices.dataSync()));
      assertClose(quantizer.lookup(store, indices), io.quantized, TOL, 'lookup(indices)');
      assert.equal(quantizer.projectedCodebook(store), store.get(VQ_KEYS.codebook), 'the searched codebook is C itself');
      assert.throws(() => quantizer.lookup(store, tf.tensor1d([32], 'int32')), /VectorQuantizer\.lookup: indices out of range \[0, 32\)/);
      assert.throws(() => quantizer.indicesFor(store, tf.zeros([1, 2, 5]) as tf.Tensor3D), /expected features \[B, N, 24\], got \[1, 2, 5\]/);
    });
    assert.equal(tf.memory().numTensors, baseline + 2, 'cached Cᵀ and ‖C‖²');
    quantizer.invalidateCache();
    assert.equal(tf.memory().numTensors, baseline);
  });
});

describe('plain VQ: init, trainability, config', () => {
  it('init: VQGAN uniform(−1/k, 1/k) codebook, torch-default quant_in, nothing frozen; seeded', () => {
    const config: QuantizerConfig = { kind: 'vq', codebookSize: 64, codebookDim: 8, beta: 0.25, codebookInitStd: 8 ** -0.5 };
    const [a, b] = [new ParamStore(), new ParamStore()];
    const vq = new VectorQuantizer(config, 5);
    vq.initParams(a, new Rng(4));
    vq.initParams(b, new Rng(4));
    assert.deepEqual(a.shapes(), { 'quant_in.weight': [8, 5], 'quant_in.bias': [8], 'quantizer.embedding.weight': [64, 8] });
    assert.deepEqual(vq.frozenParamNames(), []);
    assert.ok(a.isTrainable(VQ_KEYS.codebook), 'the codebook is a variable');
    const codes = a.get(VQ_KEYS.codebook).dataSync() as Float32Array;
    const maxAbs = Math.max(...Array.from(codes, Math.abs));
    assert.ok(maxAbs <= 1 / 64 && maxAbs > 0.9 / 64, `|C| within 1/k and spread to it: max ${maxAbs}`);
    const mean = codes.reduce((s, v) => s + v, 0) / codes.length;
    assert.ok(Math.abs(mean) < 0.1 / 64, `centred: mean ${mean}`);
    const w = a.get(VQ_KEYS.inWeight).dataSync();
    assert.ok(Math.max(...Array.from(w, Math.abs)) <= 5 ** -0.5, 'quant_in bound 1/√d');
    assert.deepEqual(Array.from(b.get(VQ_KEYS.codebook).dataSync()), Array.from(codes), 'same seed, same codebook');
    a.dispose();
    b.dispose();
  });

  it('tiny model with kind vq: codebook trainable in both stages, no SimVQ projection keys', async () => {
    const model = await createVqrae(tinyVq(), { seed: 3 });
    assert.equal(model.quantizer.kind, 'vq');
    assert.ok(!model.params.has(QUANTIZER_KEYS.projWeight) && !model.params.has(QUANTIZER_KEYS.projBias));
    for (const stage of ['stage1', 'stage2'] as const) {
      model.setStage(stage);
      const trainable = model.trainableVariables();
      assert.ok(trainable.has(VQ_KEYS.codebook), `${stage}: codebook trainable`);
      assert.ok(trainable.has(VQ_KEYS.inWeight), `${stage}: quant_in trainable`);
      assert.ok(!trainable.has('decoder.decoder_pos_embed'), `${stage}: sin-cos table frozen`);
    }
    model.dispose();
    const simvq = await createVqrae(presetConfig('tiny'), { seed: 3 });
    assert.equal(simvq.quantizer.kind, 'simvq');
    assert.ok(!simvq.trainableVariables().has(QUANTIZER_KEYS.codebook), 'SimVQ C still frozen');
    simvq.dispose();
  });

  it('config: absent kind stays absent (SimVQ serialises byte-identically), vq kept, unknown kind named', () => {
    const tiny = presetConfig('tiny');
    assert.equal(JSON.stringify(parseVqraeConfig(JSON.parse(JSON.stringify(tiny)))), JSON.stringify(tiny));
    assert.ok(!('kind' in parseQuantizerConfig({ codebookSize: 8, codebookDim: 4 })));
    assert.equal(parseQuantizerConfig({ kind: 'simvq', codebookSize: 8, codebookDim: 4 }).kind, 'simvq');
    const vq = tinyVq();
    assert.equal(JSON.stringify(parseVqraeConfig(JSON.parse(JSON.stringify(vq)))), JSON.stringify(vq));
    assert.throws(() => parseQuantizerConfig({ kind: 'fsq', codebookSize: 8, codebookDim: 4 }), /quantizer\.kind must be 'simvq' or 'vq', got "fsq"/);
  });

  it('param counts: the VQ codebook is trainable, SimVQ counts unchanged', () => {
    const simvq = countParams(presetConfig('tiny'));
    const vq = countParams(tinyVq());
    assert.equal(simvq.codebook, 512 * 96);
    assert.equal(simvq.quantizerTrainable, 96 * 64 + 96 + 96 * 96 + 96);
    assert.equal(vq.codebook, 0, 'no frozen codebook');
    assert.equal(vq.quantizerTrainable, 96 * 64 + 96 + 512 * 96, 'quant_in + learned C');
    assert.equal(vq.total, simvq.total - (96 * 96 + 96), 'VQ = SimVQ without W, b');
  });
});
