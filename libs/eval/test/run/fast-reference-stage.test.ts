/** The fast eval path when the model's output size differs from its input size, and decode modes across ranks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeImages, FAST_DECODE_CONTRACT, loadImage, type ImageSample, type ReferencedSample, type ShardSample } from '@vqrae/data';
import { checkRanks, EVAL_PARTIAL_FORMAT, evalFastReferenceStage, psnr, uint8Image, type EvalPartial } from '../../src/index.js';
import { createStageContext } from '@vqrae/graph';
import { largePhotoJpeg } from '../../../../tools/testing/large-photos.js';

test('evalFastReferenceStage: input from the fast decoder, reference decoded fast again at the output size (within the contract of exact)', async () => {
  const jpg = await largePhotoJpeg(2, 1024, 768);
  const sample: ShardSample = { meta: { key: 'photo', shard: 's.tar', index: 0 }, files: new Map([['jpg', jpg]]) };
  const decoded: ImageSample[] = [];
  const decode = decodeImages({ crop: { protocol: 'center', size: 32 }, decodeMode: 'fast', concurrency: 1 });
  for await (const s of decode.run((async function* () { yield sample; })(), createStageContext({ name: 'decode' }))) decoded.push(s);
  const out: ReferencedSample[] = [];
  const stage = evalFastReferenceStage('center', 32, 48, 'throw');
  for await (const s of stage.run((async function* () { yield* decoded; })(), createStageContext({ name: 'reference' }))) out.push(s);
  assert.equal(out.length, 1);
  const { image, reference } = out[0]!;
  assert.deepEqual([image.width, image.height, reference.width, reference.height], [32, 32, 48, 48]);
  assert.deepEqual(reference, await loadImage(jpg, { crop: { protocol: 'center', size: 48 }, decodeMode: 'fast' }, 'photo'));
  const exact = await loadImage(jpg, { crop: { protocol: 'center', size: 48 }, decodeMode: 'exact' }, 'photo');
  const db = psnr(uint8Image(reference.data, 48, 48, 3), uint8Image(exact.data, 48, 48, 3));
  assert.ok(db >= FAST_DECODE_CONTRACT.minPsnrDb && db < 100, `fast vs exact reference ${db.toFixed(2)} dB`);
  // sizes equal: the reference is the input itself, nothing decoded again
  const same: ReferencedSample[] = [];
  for await (const s of evalFastReferenceStage('center', 32, 32, 'throw').run((async function* () { yield* decoded; })(), createStageContext({ name: 'reference' }))) same.push(s);
  assert.equal(same[0]!.reference, same[0]!.image);
});

test('merge-eval refuses ranks evaluated in different decode modes; a partial without the field counts as exact', () => {
  const identity = {
    checkpoint: 'ck.safetensors', checkpointSha256: 'ab', preset: 'tiny', weights: 'ema', data: 'val-{0..1}.tar', crop: 'center' as const,
    inputSize: 32, outputSize: 32, codebookSize: 512, tokensPerImage: 64, uint8Rounding: 'round-half-up' as const, ssim: ['torchmetrics'],
    featureSpace: null, referenceStats: null,
  };
  const partial = (rank: number, decodeMode?: 'fast' | 'exact'): EvalPartial => ({
    format: EVAL_PARTIAL_FORMAT, rank, worldSize: 2, shards: [`val-${rank}.tar`], nImages: 3,
    identity: decodeMode ? { ...identity, decodeMode } : identity,
    files: { metrics: 'metrics.arrow', codebook: 'codebook.npz', reconstructionMoments: null, referenceMoments: null, previews: null },
  });
  assert.deepEqual(checkRanks([{ dir: 'r0', partial: partial(0) }, { dir: 'r1', partial: partial(1, 'exact') }]), []);
  const problems = checkRanks([{ dir: 'r0', partial: partial(0, 'exact') }, { dir: 'r1', partial: partial(1, 'fast') }]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /r1: evaluates something else than r0 \(.*decode mode/);
});
