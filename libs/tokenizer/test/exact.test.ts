/** Exactness tests of spec §10.1 on the tokenizer's building blocks (no pretrained weights). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, normalInit, ParamStore, patchEmbed, patchify, sinCos2dTable, unpatchify } from '@vqrae/nn';
import { QUANTIZER_KEYS, SimVQ, createVqrae, firstArgMin, nearestCodeIndices, presetConfig } from '../src/index.js';
import { assertClose } from './helpers.js';

describe('exact building blocks (spec §10.1)', () => {
  it('conv patch embedding equals patchify (c, py, px) + matmul', () => {
    tf.tidy(() => {
      const rng = new Rng(1);
      const x = normalInit(rng.fork('x'), [2, 16, 16, 3], 1) as tf.Tensor4D;
      const w = normalInit(rng.fork('w'), [8, 3, 4, 4], 0.2); // OIHW
      const b = normalInit(rng.fork('b'), [8], 0.1);
      const viaConv = tf.reshape(tf.add(tf.conv2d(x, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, 4, 'valid'), b), [2, 16, 8]);
      assertClose(patchEmbed(x, w, b, 4), viaConv, 1e-5, 'patchEmbed vs conv2d');
    });
  });

  it('unpatchify ∘ patchify (py, px, c) is the identity', () => {
    tf.tidy(() => {
      const x = normalInit(new Rng(2), [2, 12, 12, 3], 1);
      const back = unpatchify(patchify(x, 4, 'py-px-c'), 4, { h: 3, w: 3 }, 3, 'py-px-c');
      assert.deepEqual(Array.from(back.dataSync()), Array.from(x.dataSync()));
    });
  });

  it('sin-cos table rows for g = 2, D = 8 (column half first, zero cls row)', () => {
    const values = tf.tidy(() => Array.from(sinCos2dTable(2, 8, { clsRow: true }).dataSync()));
    const row = (r: number, c: number) => {
      const w = [1, 1 / 100]; // Q = 2: ω_k = 10000^(−k/2)
      return [...w.map((o) => Math.sin(c * o)), ...w.map((o) => Math.cos(c * o)), ...w.map((o) => Math.sin(r * o)), ...w.map((o) => Math.cos(r * o))];
    };
    const expected = [0, 0, 0, 0, 0, 0, 0, 0, ...row(0, 0), ...row(0, 1), ...row(1, 0), ...row(1, 1)];
    values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `entry ${i}: ${v} vs ${expected[i]}`));
  });

  it('nearest-code argmin equals brute force; ties pick the first index; chunking does not change the result', () => {
    tf.tidy(() => {
      const rng = new Rng(3);
      const z = normalInit(rng.fork('z'), [37, 6], 1) as tf.Tensor2D;
      let codes = normalInit(rng.fork('c'), [50, 6], 1) as tf.Tensor2D;
      codes = tf.concat([codes, tf.slice(codes, [10, 0], [1, 6])]) as tf.Tensor2D; // code 50 duplicates code 10
      const zv = z.arraySync();
      const cv = codes.arraySync();
      const brute = zv.map((row) => {
        let best = 0;
        let bestD = Infinity;
        cv.forEach((code, j) => {
          const d = code.reduce((s, v, i) => s + (row[i] - v) ** 2, 0);
          if (d < bestD) [best, bestD] = [j, d];
        });
        return best;
      });
      const codesT = tf.transpose(codes) as tf.Tensor2D;
      const norms = tf.sum(tf.square(codes), 1) as tf.Tensor1D;
      for (const maxChunkElements of [51, 51 * 5, 1 << 20]) {
        assert.deepEqual(Array.from(nearestCodeIndices(z, codesT, norms, { maxChunkElements }).dataSync()), brute);
      }
      assert.ok(!brute.includes(50), 'a duplicated code is never chosen over its first copy');
      assert.deepEqual(Array.from(firstArgMin(tf.tensor2d([[3, 1, 1, 2], [0, 0, 0, 0]])).dataSync()), [1, 0]);
    });
  });

  it('nearest-code search memory is bounded by the chunk size (k = 16384)', async () => {
    const rng = new Rng(9);
    const z = normalInit(rng.fork('z'), [300, 16], 1) as tf.Tensor2D;
    const codesT = normalInit(rng.fork('c'), [16, 16384], 1) as tf.Tensor2D;
    const norms = tf.sum(tf.square(codesT), 0) as tf.Tensor1D;
    let chunked: tf.Tensor | undefined;
    const info = await tf.profile(() => {
      chunked = nearestCodeIndices(z, codesT, norms, { maxChunkElements: 16384 * 8 }); // 8 rows: 0.5 MiB per [r, k] temporary
      return chunked;
    });
    const fullMatrixBytes = 300 * 16384 * 4; // 19.7 MB if the search were not chunked
    assert.ok(info.peakBytes < fullMatrixBytes / 2, `peak ${info.peakBytes} bytes`);
    const unchunked = nearestCodeIndices(z, codesT, norms, { maxChunkElements: 1 << 30 });
    assert.deepEqual(Array.from((chunked as tf.Tensor).dataSync()), Array.from(unchunked.dataSync()));
    tf.dispose([z, codesT, norms, chunked as tf.Tensor, unchunked]);
  });

  describe('SimVQ', () => {
    const config = { codebookSize: 64, codebookDim: 8, beta: 0.25, codebookInitStd: 8 ** -0.5 };
    const setup = () => {
      const store = new ParamStore();
      const vq = new SimVQ(config, 5);
      vq.initParams(store, new Rng(4));
      return { store, vq };
    };

    it('loss value equals β·mean((q−z)²) + mean((q−z)²); codes equal C′[indices]', () => {
      const { store, vq } = setup();
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const features = normalInit(new Rng(5), [2, 3, 5], 1) as tf.Tensor3D;
        const out = vq.quantize(store, features);
        const mse = tf.mean(tf.square(tf.sub(out.quantized, out.projected))).dataSync()[0];
        assert.ok(Math.abs(out.losses.commitment.dataSync()[0] - mse) < 1e-6);
        assert.ok(Math.abs(out.losses.codebook.dataSync()[0] - mse) < 1e-6);
        assert.ok(Math.abs(out.losses.total.dataSync()[0] - 1.25 * mse) < 1e-6);
        assertClose(out.quantized, vq.lookup(store, out.indices), 1e-6, 'q_st value = C′[idx]');
        assert.equal(Array.from(out.codeCounts.dataSync()).reduce((a, b) => a + b, 0), 6);
      });
      vq.dispose();
      assert.equal(tf.memory().numTensors, before);
      store.dispose();
    });

    it('STE: d sum(q_st)/dz is all ones; C gets no gradient, W and b do', () => {
      const { store, vq } = setup();
      tf.tidy(() => {
        const features = normalInit(new Rng(6), [2, 3, 5], 1) as tf.Tensor3D;
        const w = store.get(QUANTIZER_KEYS.inWeight);
        const dz = tf.grad((x: tf.Tensor) => tf.sum(vq.quantize(store, x as tf.Tensor3D).quantized))(features);
        // q_st = z + const, z = features·Wᵀ + b → d/dfeatures = 1·W summed over outputs
        const expected = tf.broadcastTo(tf.sum(w, 0), [2, 3, 5]);
        assertClose(dz, expected, 1e-5, 'STE gradient');
        const vars = store.trainableVariables();
        assert.ok(!vars.has(QUANTIZER_KEYS.codebook), 'C is not a variable');
        const { grads } = tf.variableGrads(() => vq.quantize(store, features).losses.codebook, [...vars.values()]);
        const byName = new Map([...vars.entries()].map(([name, v]) => [v.name, name]));
        const named = Object.fromEntries(Object.entries(grads).map(([k, g]) => [byName.get(k), g]));
        assert.ok(tf.max(tf.abs(named[QUANTIZER_KEYS.projWeight])).dataSync()[0] > 0, 'W gets a gradient');
        assert.ok(tf.max(tf.abs(named[QUANTIZER_KEYS.projBias])).dataSync()[0] > 0, 'b gets a gradient');
        // the codebook term does not reach quant_in (z is stopped there)
        assert.equal(tf.max(tf.abs(named[QUANTIZER_KEYS.inWeight])).dataSync()[0], 0);
      });
      vq.dispose();
      store.dispose();
    });
  });

  it('decode(encode(x).indices) equals the decoder on the straight-through path (tiny preset)', async () => {
    const model = await createVqrae(presetConfig('tiny'), { seed: 7 });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
      const forward = model.forward(images);
      const encoded = model.encode(images);
      assert.deepEqual(Array.from(encoded.indices.dataSync()), Array.from(forward.quantization.indices.dataSync()));
      assertClose(model.decode(encoded.indices), forward.reconstruction, 1e-5, 'decode(indices) vs straight-through path');
      assertClose(model.reconstruct(images), forward.reconstruction, 1e-5, 'reconstruct');
      assert.deepEqual(forward.features.shape, [2, 64, 64]);
      assert.deepEqual(encoded.quantized.shape, [2, 64, 96]);
    });
    model.quantizer.invalidateCache();
    assert.equal(tf.memory().numTensors, before);
    tf.tidy(() => {
      assert.throws(() => model.decode(tf.tensor2d([[0, 1]], [1, 2], 'int32')), /expected indices \[B, 64\]/);
      assert.throws(() => model.quantizer.lookup(model.params, tf.tensor1d([512], 'int32')), /out of range/);
      assert.throws(() => model.features(tf.zeros([1, 16, 16, 3]) as tf.Tensor4D), /SiglipEncoder\.encode: expected pixel01 images \[B, 32, 32, 3\]/);
    });
    model.quantizer.invalidateCache();
    model.dispose();
  });
});
