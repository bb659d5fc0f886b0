/**
 * The exported code search: first-minimum tie rule inside a chunk and across codebook chunk boundaries, chunking
 * that does not change any index, and agreement with the tfjs search on the same (tie-laden) codebook.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { QUANTIZER_KEYS, createVqrae, nearestCodeIndices, presetConfig, type VqraeModel } from '@vqrae/tokenizer';
import { exportOnnx, searchOnlyGraph, searchPlan } from '../src/index.js';
import { runArtifact, seededPixels, withTensor } from './helpers.js';

/**
 * Codebook whose rows in `nearest` are all zeros (C' = C with W = I, b = 0, so exact duplicates stay exact) and
 * every other row is far away (norm ≥ 30): every token's nearest code is one of the tied zero rows.
 */
function setTiedCodebook(model: VqraeModel, nearest: readonly number[]): void {
  const { codebookSize: k, codebookDim: e } = model.config.quantizer;
  const values = new Float32Array(k * e);
  for (let j = 0; j < k; j++) {
    if (nearest.includes(j)) continue;
    for (let c = 0; c < e; c++) values[j * e + c] = 30 + 0.01 * j + 0.001 * c;
  }
  // not inside tf.tidy: ParamStore.assign keeps a copy of a frozen entry, which a tidy would dispose
  const updates: Array<[string, tf.Tensor]> = [
    [QUANTIZER_KEYS.codebook, tf.tensor2d(values, [k, e])],
    [QUANTIZER_KEYS.projWeight, tf.eye(e)],
    [QUANTIZER_KEYS.projBias, tf.zeros([e])],
  ];
  for (const [name, value] of updates) {
    model.params.assign(name, value);
    value.dispose();
  }
  model.quantizer.invalidateCache();
}

describe('exported code search (tiny preset: N = 64, k = 512)', () => {
  let model: VqraeModel;
  let baseline: number;
  const batch = 3;
  const dims = [batch, 32, 32, 3];
  const pixels = seededPixels(batch, 32, 21);
  before(async () => {
    baseline = tf.memory().numTensors;
    model = await createVqrae(presetConfig('tiny'), { seed: 4 });
  });
  after(() => {
    model.dispose();
    assert.equal(tf.memory().numTensors, baseline, 'tensor count back to its baseline');
  });

  it('plans blocks of ⌊max / chunk⌋ rows against chunks of min(k, max) codes: a block never exceeds the bound', () => {
    assert.deepEqual(searchPlan(512, 2 * 1024 * 1024), { rows: 4096, chunks: [{ start: 0, size: 512 }] });
    assert.deepEqual(searchPlan(512, 5000), { rows: 9, chunks: [{ start: 0, size: 512 }] });
    const small = searchPlan(512, 100);
    assert.deepEqual([small.rows, ...small.chunks.map((c) => c.size)], [1, 100, 100, 100, 100, 100, 12]);
    assert.deepEqual(searchPlan(3, 1), { rows: 1, chunks: [{ start: 0, size: 1 }, { start: 1, size: 1 }, { start: 2, size: 1 }] });
    assert.throws(() => searchPlan(512, 0), /maxChunkElements must be a positive integer/);
  });

  it('blocking changes no index (one block; 9-row blocks with a padded last block; 1 row × 7-code chunks)', async () => {
    const whole = await runArtifact(exportOnnx(model, 'tokenize'), { pixels: { data: pixels, dims } });
    for (const maxChunkElements of [5000, 7]) {
      const chunked = await runArtifact(exportOnnx(model, 'tokenize', { maxChunkElements }), { pixels: { data: pixels, dims } });
      assert.deepEqual([...chunked.indices], [...whole.indices]);
    }
  });

  for (const { tied, expected, why } of [
    { tied: [99, 100, 300], expected: 99, why: 'last column of chunk 0 beats the equal first column of chunk 1' },
    { tied: [100, 199, 200, 511], expected: 100, why: 'first column of chunk 1 beats later equals in its own and later chunks' },
    { tied: [5, 6, 7], expected: 5, why: 'first of equal columns inside one chunk' },
  ]) {
    it(`duplicate codes ${tied.join(', ')} → ${expected}: ${why}`, async () => {
      setTiedCodebook(model, tied);
      const reference = withTensor<tf.Tensor4D>(pixels, dims, (t) => model.tokenize(t)) as Int32Array;
      assert.ok(reference.every((i) => i === expected), 'the tfjs search picks the first tied code');
      for (const maxChunkElements of [100, 2 * 1024 * 1024]) {
        const out = await runArtifact(exportOnnx(model, 'tokenize', { maxChunkElements }), { pixels: { data: pixels, dims } });
        assert.deepEqual([...out.indices], [...reference], `maxChunkElements ${maxChunkElements}`);
      }
    });
  }
});

/** Seeded standard-normal host array (read outside any tidy). */
function seededNormal(shape: number[], seed: number): Float32Array {
  const t = tf.randomNormal(shape, 0, 1, 'float32', seed);
  const data = Float32Array.from(t.dataSync());
  t.dispose();
  return data;
}

describe('searchOnlyGraph: the engine\'s search as a model of its own (z [tokens, e] → indices [tokens])', () => {
  it('equals the tfjs nearestCodeIndices on random data, whole and chunked/blocked (padded last block), with ties to the first index', async () => {
    const [k, e, tokens] = [96, 16, 37];
    const baseline = tf.memory().numTensors;
    const codesT = seededNormal([e, k], 31); // C'ᵀ [e, k]
    for (let r = 0; r < e; r++) codesT[r * k + 70] = codesT[r * k + 20]!; // code 70 duplicates code 20: a tie across chunks
    const norms = new Float32Array(k); // ‖C'_j‖² [k]
    for (let r = 0; r < e; r++) for (let j = 0; j < k; j++) norms[j]! += codesT[r * k + j]! ** 2;
    const z = seededNormal([tokens, e], 32); // [tokens, e]
    z.set(codesT.filter((_, i) => i % k === 20), 0); // row 0 is code 20 itself → 20 (never 70)
    const reference = withTensor(z, [tokens, e], (zt) => tf.tidy(() => nearestCodeIndices(zt as tf.Tensor2D, tf.tensor2d(codesT, [e, k]), tf.tensor1d(norms))));
    assert.equal(reference[0], 20);
    for (const maxChunkElements of [undefined, 7 * 32, 7]) {
      const artifact = searchOnlyGraph({ codesT, norms, codebookSize: k, codebookDim: e }, { maxChunkElements });
      const session = await ort.InferenceSession.create(artifact.model, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
      try {
        const out = await session.run({ z: new ort.Tensor('float32', z, [tokens, e]) });
        assert.equal(out.indices!.type, 'int32');
        assert.deepEqual([...(out.indices!.data as Int32Array)], [...reference], `maxChunkElements ${maxChunkElements}`);
      } finally {
        await session.release();
      }
    }
    assert.throws(() => searchOnlyGraph({ codesT, norms: norms.subarray(1), codebookSize: k, codebookDim: e }), /norms has 95 values, expected k = 96/);
    assert.equal(tf.memory().numTensors, baseline);
  });
});
