import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { tableFromIPC } from 'apache-arrow';
import sharp from 'sharp';
import { createRng } from '@vqrae/data';
import { fromIterable, Graph, type SampleMeta } from '@vqrae/graph';
import {
  codebookUsageSink,
  frechetStatsSink,
  functionFeatureExtractor,
  imageMetricsSink,
  makeProvenance,
  namedFeatureSpace,
  previewSink,
  psnr,
  referencePixels,
  scorePair,
  SsimScorer,
  ssimSelection,
  uint8Image,
  type CodeRecord,
  type CodebookUsage,
  type FeatureStatsResult,
  type MetricsFileResult,
  type PreviewIndex,
  type ReconstructionRecord,
} from '../../src/index.js';

const S = 8;
const rng = createRng(7);
const pixels = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 256));
const meta = (i: number): SampleMeta => ({ key: `k${i}`, shard: 's.tar', index: i });

/** Two batches of 8×8 reconstructions: inputs are 4×4 (so the references must come with the record). */
function records(): (ReconstructionRecord & CodeRecord)[] {
  return [0, 1].map((b) => {
    const metas = [meta(2 * b), meta(2 * b + 1)];
    return {
      metas,
      images: metas.map(() => ({ data: pixels(4 * 4 * 3), width: 4, height: 4 })),
      references: metas.map(() => pixels(S * S * 3)),
      outputSize: S,
      decoded: metas.map(() => pixels(S * S * 3)),
      indices: Int32Array.from({ length: 2 * 4 }, (_, i) => (b * 8 + i) % 5), // [B, N] = [2, 4]
    };
  });
}

test('reconstruction sinks in one graph, two of a kind under other names: metrics rows equal the library scores, FD stats per side, codebook usage, previews', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-recon-sinks-'));
  const baseline = tf.memory().numTensors;
  try {
    const batches = records();
    const ssim = ssimSelection('torchmetrics', 'skimage');
    const provenance = makeProvenance({ tool: 'test', command: ['test'], config: {} });
    const space = namedFeatureSpace('mean-rgb', 'test: channel means');
    const extractor = functionFeatureExtractor(space, 3, (images) => tf.tidy(() => tf.mean(tf.cast(images, 'float32'), [1, 2]) as tf.Tensor2D)); // [B, 3]
    const summary = await Graph.from(fromIterable('batches', batches)).to(
      imageMetricsSink({ path: path.join(dir, 'metrics.arrow'), ssim, provenance }),
      imageMetricsSink({ path: path.join(dir, 'again.arrow'), ssim: ssimSelection('skimage', 'none'), provenance, name: 'metrics-skimage' }),
      frechetStatsSink({ extractor, side: 'reconstruction', maxBatch: 1 }),
      frechetStatsSink({ extractor, side: 'reference' }),
      codebookUsageSink(5),
      previewSink({ dir, count: 3 }),
      previewSink({ dir: path.join(dir, 'spread'), count: 3, every: 3, name: 'previews-spread' }),
    ).run();
    const result = <T>(name: string): T => summary.sinks.find((s) => s.name === name)!.result as T;

    const table = tableFromIPC(fs.readFileSync(path.join(dir, 'metrics.arrow')));
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['key', 'shard', 'index', 'psnr', 'ssim', 'ssim_skimage']);
    const scorer = new SsimScorer(ssim.variants);
    const all = batches.flatMap((b) => b.metas.map((m, i) => ({ key: m.key, ref: b.references![i]!, rec: b.decoded[i]! })));
    all.forEach(({ key, ref, rec }, row) => {
      assert.equal(table.getChild('key')!.get(row), key);
      const expected = scorePair(scorer, ssim, ref, rec, S);
      assert.equal(table.getChild('psnr')!.get(row), psnr(uint8Image(ref, S, S, 3), uint8Image(rec, S, S, 3)));
      assert.equal(table.getChild('ssim')!.get(row), expected.ssim);
      assert.equal(table.getChild('ssim_skimage')!.get(row), expected.ssim_skimage);
    });
    assert.equal(result<MetricsFileResult>('metrics').rows, 4);
    assert.equal(result<MetricsFileResult>('metrics-skimage').rows, 4);

    const meanOf = (images: readonly Uint8Array[]): number[] => [0, 1, 2].map((c) => images.reduce((sum, im) => {
      let s = 0;
      for (let i = c; i < im.length; i += 3) s += im[i]!;
      return sum + s / (S * S);
    }, 0) / images.length);
    const recon = result<FeatureStatsResult>('fd-reconstructions');
    const refs = result<FeatureStatsResult>('fd-references');
    assert.equal(recon.moments.count, 4);
    assert.equal(recon.label, 'FD[mean-rgb]');
    const close = (a: ArrayLike<number>, b: readonly number[]): void => Array.from(a).forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-3, `${v} vs ${b[i]}`));
    close(recon.moments.toGaussian().mean, meanOf(all.map((x) => x.rec)));
    close(refs.moments.toGaussian().mean, meanOf(all.map((x) => x.ref)));

    const usage = result<CodebookUsage>('codebook');
    const codes = batches.flatMap((b) => [...b.indices]);
    assert.deepEqual([...usage.counts], [0, 1, 2, 3, 4].map((c) => codes.filter((x) => x === c).length));

    const previews = result<PreviewIndex>('previews');
    assert.deepEqual(previews.previews.map((p) => p.key), ['k0', 'k1', 'k2']);
    const png = await sharp(path.join(dir, previews.previews[2]!.original)).raw().toBuffer();
    assert.deepEqual(new Uint8Array(png), all[2]!.ref, 'the preview original is the record reference, losslessly');
    assert.ok(fs.existsSync(path.join(dir, 'previews/previews.json')));
    assert.deepEqual(result<PreviewIndex>('previews-spread').previews.map((p) => p.key), ['k0', 'k3'], 'every 3rd sample of the pass, across batches');
    assert.throws(() => previewSink({ dir, count: 1, every: 0 }), /every must be a positive integer/);
    extractor.dispose();
    assert.equal(tf.memory().numTensors, baseline, 'every tensor the sinks made is disposed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('referencePixels: the reference crop, else the input of the output size; a mismatch names the sample', () => {
  const image = { data: pixels(S * S * 3), width: S, height: S };
  const record: ReconstructionRecord = { metas: [meta(0)], images: [image], outputSize: S, decoded: [pixels(S * S * 3)] };
  assert.equal(referencePixels(record, 0), image.data);
  assert.throws(() => referencePixels({ ...record, outputSize: 16 }, 0), /sample 'k0' \(shard s\.tar\): input is 8×8 but the reconstruction is 16×16.*cropWithReference/);
});
