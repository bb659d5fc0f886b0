/**
 * Fast-vs-exact token agreement of any checkpoint (issue 16: the goal is ≥ 99% of positions for the trained
 * small-cpu tokenizer; `FAST_DECODE_CONTRACT.minTokenAgreement` is the bound tested today). Decodes each image twice
 * (`decodeMode: 'fast'` and `'exact'`, same crop protocol at the model input size), tokenizes both on tfjs (wasm) and
 * prints the share of positions with the same code, per image and overall, plus the input PSNR of fast vs exact.
 *
 *   node --import tsx tools/testing/decode-mode-agreement.ts --checkpoint ck.safetensors [--photos 8] [--crop center]
 *   node --import tsx tools/testing/decode-mode-agreement.ts --checkpoint ck.safetensors --data 'val-{000..003}.tar' --limit 64
 *
 * Without `--data` the images are `--photos` generated 2048×1536 JPEG q90 photographs (tools/testing/large-photos.ts,
 * deterministic, nothing downloaded). The last line is JSON (`{"agreement": …}`) for scripts.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { consoleReporter, DEFAULT_IMAGE_MEMBERS, expandShardSpec, FAST_DECODE_CONTRACT, imagesToTensor, loadImage, readShard, type CropSpec, type DecodeMode, type RgbImage } from '@vqrae/data';
import { psnr, uint8Image } from '@vqrae/eval';
import { loadCheckpoint, type VqraeModel } from '@vqrae/tokenizer';
import { largePhotoJpeg } from './large-photos.js';

/** One encoded image and the name it is reported under. */
export interface NamedImage {
  readonly key: string;
  readonly bytes: Uint8Array;
}

/** Agreement of one image's tokens (fast vs exact) and the PSNR of its two decoded inputs. */
export interface ImageAgreement {
  readonly key: string;
  readonly same: number;
  readonly positions: number;
  readonly inputPsnrDb: number;
}

/** The codes of some images decoded in `mode`, `[B, tokensPerImage]` flattened; tensors are disposed here. */
async function codes(model: VqraeModel, images: readonly NamedImage[], crop: CropSpec, mode: DecodeMode): Promise<{ codes: Int32Array; decoded: RgbImage[] }> {
  const decoded: RgbImage[] = [];
  for (const image of images) decoded.push(await loadImage(image.bytes, { crop, decodeMode: mode }, image.key));
  const batch = imagesToTensor(decoded); // [B, S, S, 3] pixel01, owned here
  try {
    const encoded = model.encode(batch);
    try {
      return { codes: (await encoded.indices.data()) as Int32Array, decoded }; // [B, N]
    } finally {
      tf.dispose([encoded.features, encoded.indices, encoded.quantized]);
    }
  } finally {
    batch.dispose();
  }
}

/**
 * Fast-vs-exact token agreement of `model` on `images` (cropped with `protocol` at the model input size), in batches
 * of `batch` images. Every tensor it creates is disposed before it returns.
 */
export async function decodeModeAgreement(model: VqraeModel, images: readonly NamedImage[], protocol: 'center' | 'adm' | 'exact', batch = 8): Promise<ImageAgreement[]> {
  const crop = { protocol, size: model.inputSize } as CropSpec;
  const perImage = model.tokensPerImage;
  const results: ImageAgreement[] = [];
  for (let start = 0; start < images.length; start += batch) {
    const chunk = images.slice(start, start + batch);
    const exact = await codes(model, chunk, crop, 'exact');
    const fast = await codes(model, chunk, crop, 'fast');
    chunk.forEach((image, i) => {
      let same = 0;
      for (let p = 0; p < perImage; p++) if (exact.codes[i * perImage + p] === fast.codes[i * perImage + p]) same += 1;
      const a = exact.decoded[i]!;
      const b = fast.decoded[i]!;
      const db = psnr(uint8Image(a.data, a.height, a.width, 3), uint8Image(b.data, b.height, b.width, 3));
      results.push({ key: image.key, same, positions: perImage, inputPsnrDb: db });
    });
  }
  return results;
}

async function imagesOf(data: string | undefined, photos: number, limit: number): Promise<NamedImage[]> {
  if (data === undefined) {
    const out: NamedImage[] = [];
    for (let i = 0; i < photos; i++) out.push({ key: `large-photo-${i}`, bytes: await largePhotoJpeg(i) });
    return out;
  }
  const out: NamedImage[] = [];
  for (const shard of await expandShardSpec(data)) {
    for await (const sample of readShard(shard, { reporter: consoleReporter() })) {
      const member = DEFAULT_IMAGE_MEMBERS.find((m) => sample.files.has(m));
      if (member === undefined) throw new Error(`decode-mode-agreement: sample '${sample.meta.key}' in ${shard} has no image member`);
      out.push({ key: sample.meta.key, bytes: sample.files.get(member)! });
      if (out.length >= limit) return out;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      checkpoint: { type: 'string' },
      data: { type: 'string' },
      photos: { type: 'string', default: '8' },
      limit: { type: 'string', default: '64' },
      crop: { type: 'string', default: 'center' },
      batch: { type: 'string', default: '8' },
    },
  });
  if (!values.checkpoint) throw new Error('decode-mode-agreement: --checkpoint <file.safetensors> is required');
  if (!['center', 'adm', 'exact'].includes(values.crop)) throw new Error(`decode-mode-agreement: --crop must be center, adm or exact, got '${values.crop}'`);
  if (!(await tf.setBackend('wasm'))) throw new Error('decode-mode-agreement: the wasm backend could not be initialised');
  const images = await imagesOf(values.data, Number(values.photos), Number(values.limit));
  if (images.length === 0) throw new Error('decode-mode-agreement: no images');
  const model = await loadCheckpoint(values.checkpoint);
  try {
    const rows = await decodeModeAgreement(model, images, values.crop as 'center' | 'adm' | 'exact', Number(values.batch));
    for (const r of rows) console.log(`${r.key}: ${r.same}/${r.positions} = ${((100 * r.same) / r.positions).toFixed(2)}% of positions, input PSNR ${r.inputPsnrDb.toFixed(2)} dB`);
    const same = rows.reduce((s, r) => s + r.same, 0);
    const total = rows.reduce((s, r) => s + r.positions, 0);
    const agreement = same / total;
    console.log(`\n${values.checkpoint}, ${rows.length} images, ${values.crop}(${model.inputSize}): fast vs exact tokens agree on ${same}/${total} = ${(100 * agreement).toFixed(2)}% ` +
      `(issue goal 99%, tested bound ${(100 * FAST_DECODE_CONTRACT.minTokenAgreement).toFixed(0)}%); min input PSNR ${Math.min(...rows.map((r) => r.inputPsnrDb)).toFixed(2)} dB`);
    console.log(JSON.stringify({ checkpoint: values.checkpoint, images: rows.length, crop: values.crop, same, positions: total, agreement }));
  } finally {
    model.dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
