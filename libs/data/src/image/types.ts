/**
 * A decoded image: 8-bit sRGB, 3 channels, row-major HWC (`data[(y * width + x) * 3 + c]`), no alpha.
 * Every image stage produces exactly this layout.
 */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}

/** Background an alpha channel is flattened onto (0–255 per channel). */
export interface Background {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/**
 * Named crop/resize protocols (kernels documented in `crop-geometry.ts` and `load-image.ts`):
 * - `center`: shorter side to `size` (longer side `floor(size·long/short)`, as torchvision `Resize`), bicubic,
 *   then the central `size`×`size` (offsets `round((L−size)/2)`, as torchvision `CenterCrop`);
 * - `adm`: the ImageNet evaluation crop of ADM/LlamaGen/RAE: halve with a box filter while the shorter side
 *   is ≥ 2·size, bicubic so that the shorter side is `size` (sides rounded), central crop with floor offsets;
 * - `random-resized`: torchvision `RandomResizedCrop` (area fraction in `scale`, aspect ratio log-uniform in
 *   `ratio`, 10 tries then a centre fallback), bicubic to `size`×`size`; seeded by `seed` and the sample key;
 * - `random-crop`: shorter side to `resizeTo` (bicubic), then a uniformly placed `size`×`size` crop (RAE training,
 *   model-spec §7.7); seeded by `seed` and the sample key;
 * - `exact`: resize to `size`×`size` ignoring the aspect ratio (bicubic).
 */
export type CropSpec =
  | { readonly protocol: 'center'; readonly size: number }
  | { readonly protocol: 'adm'; readonly size: number }
  | {
      readonly protocol: 'random-resized';
      readonly size: number;
      readonly seed: number;
      readonly scale?: { readonly min: number; readonly max: number };
      readonly ratio?: { readonly min: number; readonly max: number };
    }
  | { readonly protocol: 'random-crop'; readonly size: number; readonly resizeTo: number; readonly seed: number }
  | { readonly protocol: 'exact'; readonly size: number };

/** Names of the crop protocols, for CLI parsing. */
export const CROP_PROTOCOLS = ['center', 'adm', 'random-resized', 'random-crop', 'exact'] as const;
export type CropProtocol = (typeof CROP_PROTOCOLS)[number];
