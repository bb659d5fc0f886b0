/**
 * The decodes that `decode-mode-agreement` compares with the reference (`exact`): each one turns an encoded image into
 * the model's input crop. Centre protocols (`center`, `adm`, `exact`, the dump/eval protocols) and `train`
 * (the random-resized crop of `vqrae train`, one crop per image and epoch).
 *
 * Variant names (`--compare`):
 * - `fast`: `decodeMode: 'fast'` as shipped (centre: one sharp call, sharp picks the DCT scale; train: the shipped
 *   `FAST_CROP_HEADROOM`);
 * - `fast-h<H>`: fast with an explicit headroom H (centre: `fastHeadroom: H`; train: `fastRandomResizedCrop(…, H)`);
 * - `noise`: the exact crop with seeded ±1 grey-level noise on every value (clamped to 0–255): the tokenizer's own
 *   sensitivity to the smallest possible change;
 * - `pil-port`: the exact decode resampled with the TypeScript port of PIL's bicubic (`resampler: 'pil'`);
 * - `pil`: the Python peer (tools/testing/pil_center_crop.py: PIL full-size decode + PIL bicubic), centre only;
 *   handled by the caller (see pil-peer.ts).
 */
import { cropImage, createRng, hashSeed, loadImage, type CropSpec, type RgbImage } from '@vqrae/data';
import { FAST_CROP_HEADROOM, fastRandomResizedCrop } from '@vqrae/train';

/** Crop protocols the tool measures; `train` = random-resized with the training defaults (scale 0.35–1). */
export const AGREEMENT_PROTOCOLS = ['center', 'adm', 'exact', 'train'] as const;
export type AgreementProtocol = (typeof AGREEMENT_PROTOCOLS)[number];

/** One model input to decode: an encoded image and the crop it is cut with. */
export interface CropItem {
  /** Image key, plus `@e<epoch>` for training crops. */
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly spec: CropSpec;
}

/** Training crops of `vqrae train`'s defaults: seed 0, scale 0.35–1 (job-config.ts), one per epoch. */
const TRAIN_SEED = 0;
const TRAIN_SCALE = { min: 0.35, max: 1 } as const;

/** The crop items of `images` for a protocol at `size` (train: `epochs` crops per image). */
export function cropItems(images: readonly { key: string; bytes: Uint8Array }[], protocol: AgreementProtocol, size: number, epochs: number): CropItem[] {
  if (protocol !== 'train') return images.map((image) => ({ ...image, spec: { protocol, size } as CropSpec }));
  const items: CropItem[] = [];
  for (const image of images) {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const spec = { protocol: 'random-resized', size, seed: hashSeed(TRAIN_SEED, 'train-epoch', epoch), scale: TRAIN_SCALE } as const;
      items.push({ key: `${image.key}@e${epoch}`, bytes: image.bytes, spec });
    }
  }
  return items;
}

/** The image key a crop item was cut from (the key without `@e<epoch>`), which seeds the random crop. */
function sourceKey(item: CropItem): string {
  const at = item.key.lastIndexOf('@e');
  return at < 0 ? item.key : item.key.slice(0, at);
}

/** A decode to compare: name and function (`pil` has none: the Python peer produces it). */
export interface Variant {
  readonly name: string;
  readonly decode?: (item: CropItem, index: number) => Promise<RgbImage>;
}

/** The reference decode: `exact` (full decode, then the protocol; training: full decode, then the epoch crop). */
export function exactDecode(item: CropItem): Promise<RgbImage> {
  if (item.spec.protocol === 'random-resized') return loadImage(item.bytes, {}, sourceKey(item)).then((full) => cropImage(full, item.spec, sourceKey(item)));
  return loadImage(item.bytes, { crop: item.spec, decodeMode: 'exact' }, item.key);
}

function fastDecode(headroom: number | undefined): (item: CropItem) => Promise<RgbImage> {
  return async (item) => {
    if (item.spec.protocol === 'random-resized') {
      const fast = await fastRandomResizedCrop(item.bytes, item.spec, sourceKey(item), headroom ?? FAST_CROP_HEADROOM);
      return fast ?? exactDecode(item);
    }
    return loadImage(item.bytes, { crop: item.spec, decodeMode: 'fast', ...(headroom === undefined ? {} : { fastHeadroom: headroom }) }, item.key);
  };
}

/** `image` with seeded ±1 on every value (clamped to 0–255); seeded by the item's position. */
export function withUnitNoise(image: RgbImage, index: number): RgbImage {
  const rng = createRng('decode-mode-agreement-noise', index);
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = image.data[i]! + (rng.next() < 0.5 ? -1 : 1);
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { ...image, data };
}

/** Parses one `--compare` name into a variant; throws naming the flag for an unknown one. */
export function parseVariant(name: string, protocol: AgreementProtocol): Variant {
  if (name === 'fast') return { name, decode: fastDecode(undefined) };
  const headroom = /^fast-h(\d+(?:\.\d+)?)$/.exec(name);
  if (headroom) return { name, decode: fastDecode(Number(headroom[1])) };
  if (name === 'noise') return { name, decode: async (item, index) => withUnitNoise(await exactDecode(item), index) };
  if (name === 'pil-port' || name === 'pil') {
    if (protocol === 'train') throw new Error(`decode-mode-agreement: --compare ${name} needs a centre protocol (center, adm, exact), not train`);
    if (name === 'pil') {
      if (protocol !== 'center') throw new Error(`decode-mode-agreement: --compare pil implements the center protocol only, not ${protocol}`);
      return { name };
    }
    return { name, decode: (item) => loadImage(item.bytes, { crop: item.spec, decodeMode: 'exact', resampler: 'pil' }, item.key) };
  }
  throw new Error(`decode-mode-agreement: unknown --compare variant '${name}' (fast, fast-h<H> e.g. fast-h2, noise, pil-port, pil)`);
}
