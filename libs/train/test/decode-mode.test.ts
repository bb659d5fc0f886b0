import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { newCounters, silentLogger, type SampleMeta, type StageContext } from '@vqrae/graph';
import { cropImage, FAST_DECODE_CONTRACT, hashSeed, loadImage, type ImageSample, type RgbImage, type ShardSample } from '@vqrae/data';
import { psnr, uint8Image } from '@vqrae/eval';
import { decodeCropEpochSamples, decodeEpochSamples, epochRandomResizedCrop, fastRandomResizedCrop, type EpochTagged } from '../src/index.js';
import { largePhotoJpeg } from '../../../tools/testing/large-photos.js';
import { syntheticPng } from '../../../tools/testing/synthetic-shards.js';

const CROP = { size: 224, seed: 3, scale: { min: 0.35, max: 1 } } as const;
let photos: Buffer[] = [];
before(async () => {
  photos = await Promise.all([0, 4].map((i) => largePhotoJpeg(i))); // 2048×1536 JPEG q90 with fine texture
});

function sample(key: string, member: string, bytes: Uint8Array, epoch: number, ordinal: number): ShardSample & EpochTagged {
  const meta: SampleMeta = { key, shard: 'test.tar', index: ordinal };
  return { meta, files: new Map([[member, bytes]]), epoch, ordinal } as unknown as ShardSample & EpochTagged;
}

function context(): StageContext {
  return { counters: newCounters(), log: silentLogger, signal: new AbortController().signal, skip: () => {} } as unknown as StageContext;
}

async function collect<T>(run: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of run) out.push(item);
  return out;
}

async function* items<T>(list: readonly T[]): AsyncIterable<T> {
  yield* list;
}

/** Today's training input: the whole image decoded, then the epoch's random-resized crop (the reference). */
async function reference(bytes: Uint8Array, key: string, epoch: number): Promise<RgbImage> {
  const spec = { protocol: 'random-resized', size: CROP.size, seed: hashSeed(CROP.seed, 'train-epoch', epoch), scale: CROP.scale } as const;
  return cropImage(await loadImage(bytes, {}, key), spec, key);
}

test('fast decode: random-resized crops of large JPEGs decode at reduced scale and stay within FAST_DECODE_CONTRACT of exact', async () => {
  const worst: number[] = [];
  for (const [i, bytes] of photos.entries()) {
    for (let epoch = 0; epoch < 3; epoch++) {
      const key = `photo${i}`;
      const spec = { protocol: 'random-resized', size: CROP.size, seed: hashSeed(CROP.seed, 'train-epoch', epoch), scale: CROP.scale } as const;
      const fast = await fastRandomResizedCrop(bytes, spec, key);
      assert.ok(fast !== null, `${key} epoch ${epoch}: a 2048×1536 JPEG takes the fast path`);
      assert.deepEqual([fast.width, fast.height], [224, 224]);
      const exact = await reference(bytes, key, epoch);
      const value = psnr(uint8Image(exact.data, 224, 224, 3), uint8Image(fast.data, 224, 224, 3));
      assert.ok(value >= FAST_DECODE_CONTRACT.minPsnrDb, `${key} epoch ${epoch}: PSNR fast vs exact ${value.toFixed(2)} dB`);
      worst.push(value);
    }
  }
  assert.ok(Math.min(...worst) < 99, 'fast is a different decode (not silently the exact path)');
});

test('fastRandomResizedCrop headroom: more headroom keeps the crop closer to exact; too much for a reduced decode → null; < 1 refused', async () => {
  const spec = { protocol: 'random-resized', size: CROP.size, seed: hashSeed(CROP.seed, 'train-epoch', 0), scale: { min: 1, max: 1 } } as const; // whole-image box: reduction ≥ 6.9
  const exactFor = await cropImage(await loadImage(photos[0]!, {}, 'photo0'), spec, 'photo0'); // the exact path's crop
  const at = async (headroom: number): Promise<number> => {
    const fast = await fastRandomResizedCrop(photos[0]!, spec, 'photo0', headroom);
    assert.ok(fast !== null, `headroom ${headroom}: reduced decode`);
    return psnr(uint8Image(exactFor.data, 224, 224, 3), uint8Image(fast.data, 224, 224, 3));
  };
  const tight = await at(1.25);
  const roomy = await at(2);
  assert.ok(tight >= FAST_DECODE_CONTRACT.minPsnrDb && roomy > tight, `headroom 1.25: ${tight.toFixed(2)} dB, 2: ${roomy.toFixed(2)} dB`);
  assert.equal(await fastRandomResizedCrop(photos[0]!, spec, 'photo0', 4), null, 'reduction 6.9 / 4 < 3: no reduced decode');
  await assert.rejects(fastRandomResizedCrop(photos[0]!, spec, 'photo0', 0.9), /headroom must be ≥ 1, got 0.9/);
});

test('exact training input is byte-identical to the full decode + crop; fast equals it where it does not apply (PNG, small JPEG)', async () => {
  const small = await loadImage(photos[0]!, { crop: { protocol: 'exact', size: 500 } }); // 500×500 source: box < 3.75 × 224
  const { default: sharp } = await import('sharp');
  const smallJpeg = await sharp(small.data, { raw: { width: 500, height: 500, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  const inputs = [
    sample('png0', 'png', await syntheticPng(0, 300), 0, 1),
    sample('jpg0', 'jpg', smallJpeg, 1, 2),
    sample('big0', 'jpg', photos[1]!, 2, 3),
  ];
  const exactStage = epochRandomResizedCrop<ImageSample & EpochTagged>(CROP);
  const exact = await collect(exactStage.run(decodeEpochSamples(2).run(items(inputs), context()), context()));
  const fast = await collect(decodeCropEpochSamples(CROP).run(items(inputs), context()));
  for (const [i, input] of inputs.entries()) {
    const expected = await reference(input.files.get(input.meta.key.startsWith('png') ? 'png' : 'jpg')!, input.meta.key, input.epoch);
    assert.deepEqual(exact[i]!.image, expected, `${input.meta.key}: exact mode = today's decode → crop, byte for byte`);
    assert.equal(exact[i]!.epoch, input.epoch);
    if (i < 2) assert.deepEqual(fast[i]!.image, expected, `${input.meta.key}: fast falls back to the same bytes`);
  }
  assert.notDeepEqual(fast[2]!.image.data, exact[2]!.image.data, 'the large JPEG is decoded at reduced scale in fast mode');
  assert.deepEqual(fast.map((s) => [s.meta.key, s.ordinal]), inputs.map((s) => [s.meta.key, s.ordinal]));
});

test('fast decode names the sample of an undecodable image (decode stage, shard and key)', async () => {
  const broken = sample('bad0', 'jpg', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 0, 1);
  await assert.rejects(collect(decodeCropEpochSamples(CROP).run(items([broken]), context())), /decode.*bad0|bad0.*decode/s);
});
