import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, normalInit, patchEmbed, patchify, sinCos2dTable, unpatchify } from '../src/index.js';
import { assertClose, assertNoLeak, assertTensorClose } from './helpers.js';

describe('patchify / unpatchify', () => {
  for (const order of ['c-py-px', 'py-px-c'] as const) {
    it(`unpatchify ∘ patchify is the identity (${order}, non-square grid)`, () => {
      tf.tidy(() => {
        const x = normalInit(new Rng(1), [2, 8, 12, 3], 1);
        const patches = assertNoLeak('patchify', () => patchify(x, 4, order));
        assert.deepEqual(patches.shape, [2, 6, 48]);
        const back = assertNoLeak('unpatchify', () => unpatchify(patches, 4, { h: 2, w: 3 }, 3, order));
        assert.deepEqual([...back.dataSync()], [...x.dataSync()]);
      });
    });
  }

  it('orders patch values as the spec says (index c·p² + py·p + px vs (py·p + px)·C + c; n = row·g_w + col)', () => {
    tf.tidy(() => {
      const [batch, height, width, channels, p] = [1, 4, 6, 2, 2];
      const values = new Float32Array(batch * height * width * channels).map((_, i) => i);
      const x = tf.tensor4d(values, [batch, height, width, channels]);
      const at = (yy: number, xx: number, c: number): number => values[(yy * width + xx) * channels + c];
      const cpp = patchify(x, p, 'c-py-px').dataSync();
      const ppc = patchify(x, p, 'py-px-c').dataSync();
      const gw = width / p;
      for (let row = 0; row < height / p; row++) {
        for (let col = 0; col < gw; col++) {
          const n = row * gw + col;
          for (let c = 0; c < channels; c++) {
            for (let py = 0; py < p; py++) {
              for (let px = 0; px < p; px++) {
                const pixel = at(row * p + py, col * p + px, c);
                assert.equal(cpp[n * p * p * channels + c * p * p + py * p + px], pixel);
                assert.equal(ppc[n * p * p * channels + (py * p + px) * channels + c], pixel);
              }
            }
          }
        }
      }
    });
  });
});

describe('patchEmbed', () => {
  it('equals tf.conv2d (valid, stride p) with the OIHW kernel transposed to HWIO, and keeps gradients', () => {
    const rng = new Rng(2);
    tf.tidy(() => {
      const x = normalInit(rng, [2, 8, 8, 3], 1);
      const weight = normalInit(rng, [5, 3, 4, 4], 0.2); // OIHW
      const bias = normalInit(rng, [5], 0.1);
      const tokens = assertNoLeak('patchEmbed', () => patchEmbed(x, weight, bias, 4)); // [2, 4, 5]
      const filter = tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D; // HWIO
      const conv = tf.add(tf.conv2d(x as tf.Tensor4D, filter, 4, 'valid'), bias); // [2, 2, 2, 5]
      assertTensorClose(tokens, tf.reshape(conv, [2, 4, 5]), { atol: 1e-5, rtol: 1e-5 }, 'patchEmbed vs conv2d');
      const grads = tf.grads((w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(patchEmbed(x, w, b, 4))))([weight, bias]);
      assert.deepEqual(grads[0].shape, [5, 3, 4, 4]);
      assert.ok(Number.isFinite(tf.sum(grads[0]).dataSync()[0]));
      assert.throws(() => patchEmbed(x, tf.zeros([5, 3, 2, 2]), bias, 4), /OIHW/);
    });
  });
});

describe('sinCos2dTable', () => {
  it('matches the hand-computed g=2, D=8 table (column first, then row) with a zero cls row', () => {
    tf.tidy(() => {
      const table = assertNoLeak('sinCos2dTable', () => sinCos2dTable(2, 8, { clsRow: true }));
      assert.deepEqual(table.shape, [5, 8]);
      const [s1, s2, c1, c2] = [Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01)]; // ω = [1, 10000^(-1/2)]
      const expected = [
        [0, 0, 0, 0, 0, 0, 0, 0], // cls
        [0, 0, 1, 1, 0, 0, 1, 1], // r=0, c=0
        [s1, s2, c1, c2, 0, 0, 1, 1], // r=0, c=1
        [0, 0, 1, 1, s1, s2, c1, c2], // r=1, c=0
        [s1, s2, c1, c2, s1, s2, c1, c2], // r=1, c=1
      ].flat();
      assertClose(table.dataSync(), expected, { atol: 1e-7 }, 'g=2 D=8');
      const noCls = sinCos2dTable(16, 64, { clsRow: false });
      assert.deepEqual(noCls.shape, [256, 64]);
      const first = noCls.dataSync().slice(0, 64);
      assert.deepEqual([...first], [...new Array(16).fill(0), ...new Array(16).fill(1), ...new Array(16).fill(0), ...new Array(16).fill(1)]);
      assert.throws(() => sinCos2dTable(2, 6, { clsRow: false }), /multiple of 4/);
    });
  });
});
