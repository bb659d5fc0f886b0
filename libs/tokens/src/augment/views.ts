/**
 * Augmented extraction (`--augment`): the views of one decoded image that are each tokenised into their own row.
 *  - `none`: the cropped image (one row, aug `'none'`).
 *  - `flip`: the cropped image and its horizontal mirror (aug `'none'`, `'flip'`).
 *  - `tencrop`: the image is first center-cropped to ⌊1.1·S⌋ (LlamaGen's `extract_codes_c2i.py`, crop_range 1.1),
 *    then torchvision's `TenCrop(S)`: the five crops of `five_crop` (top-left, top-right, bottom-left, bottom-right,
 *    center) of the image, then the same five of its horizontal mirror (aug `'tencrop-0'` … `'tencrop-9'`).
 */
export const AUGMENTS = ['none', 'flip', 'tencrop'] as const;
export type Augment = (typeof AUGMENTS)[number];

/** Interleaved RGB pixels `[H, W, 3]` (structurally `RgbImage` of `@vqrae/data`). */
export interface RgbPixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}

/** One view: its aug tag and pixels at the model size. */
export interface AugmentView<I extends RgbPixels = RgbPixels> {
  readonly aug: string;
  readonly image: I | RgbPixels;
}

/** Views per image for a mode (rows written per decoded sample). */
export function viewsPerImage(mode: Augment): number {
  return mode === 'none' ? 1 : mode === 'flip' ? 2 : 10;
}

/** Side of the crop the image protocol must produce before the views are cut (model size S for none/flip). */
export function protocolSize(mode: Augment, modelSize: number): number {
  return mode === 'tencrop' ? Math.floor(modelSize * 1.1) : modelSize;
}

/** Horizontal mirror: pixel (y, x) ← (y, W−1−x). */
export function flipHorizontal(image: RgbPixels): RgbPixels {
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    const row = y * w * 3;
    for (let x = 0; x < w; x++) {
      const from = row + (w - 1 - x) * 3;
      const to = row + x * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { data: out, width: w, height: h, channels: 3 };
}

/** Crop `[size, size]` at (top, left). */
export function cropAt(image: RgbPixels, top: number, left: number, size: number): RgbPixels {
  if (top < 0 || left < 0 || top + size > image.height || left + size > image.width) {
    throw new Error(`crop ${size}×${size} at (${top}, ${left}) outside a ${image.width}×${image.height} image`);
  }
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const from = ((top + y) * image.width + left) * 3;
    out.set(image.data.subarray(from, from + size * 3), y * size * 3);
  }
  return { data: out, width: size, height: size, channels: 3 };
}

/** Python's `round` (half to even), as torchvision's `center_crop` uses it for the offsets. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision `five_crop(img, size)`: [top-left, top-right, bottom-left, bottom-right, center]. */
export function fiveCrop(image: RgbPixels, size: number): RgbPixels[] {
  const { width: w, height: h } = image;
  if (size > w || size > h) throw new Error(`five_crop: ${size} is larger than the ${w}×${h} image`);
  const top = roundHalfEven((h - size) / 2);
  const left = roundHalfEven((w - size) / 2);
  return [cropAt(image, 0, 0, size), cropAt(image, 0, w - size, size), cropAt(image, h - size, 0, size), cropAt(image, h - size, w - size, size), cropAt(image, top, left, size)];
}

/**
 * The views of one cropped image (`protocolSize(mode, size)` square for tencrop, `size` square otherwise).
 * `none` returns the image itself (no copy).
 */
export function augmentViews<I extends RgbPixels>(image: I, mode: Augment, size: number): AugmentView<I>[] {
  switch (mode) {
    case 'none':
      return [{ aug: 'none', image }];
    case 'flip':
      return [
        { aug: 'none', image },
        { aug: 'flip', image: flipHorizontal(image) },
      ];
    case 'tencrop':
      return [...fiveCrop(image, size), ...fiveCrop(flipHorizontal(image), size)].map((view, i) => ({ aug: `tencrop-${i}`, image: view }));
  }
}
