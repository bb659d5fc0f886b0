/**
 * 'Same'-size separable 2-D correlation of one float64 plane with odd-length symmetric taps, in the two boundary
 * conventions the SSIM references use:
 * - `mirror`: edge sample not repeated (d c b | a b c d | c b a) = torch `F.pad(mode='reflect')`, tf `mirrorPad
 *   'reflect'`. Used by torchmetrics SSIM (pad, then 'valid' conv).
 * - `symmetric`: edge sample repeated (c b a | a b c d | d c b) = scipy.ndimage `mode='reflect'`, the default of
 *   `uniform_filter` / `gaussian_filter` that skimage SSIM uses.
 */
export type FilterBoundary = 'mirror' | 'symmetric';

/** Maps a possibly out-of-range index to [0, n) under `boundary` (any distance, folding repeatedly). */
export function foldIndex(i: number, n: number, boundary: FilterBoundary): number {
  if (n === 1) return 0;
  if (boundary === 'mirror') {
    const period = 2 * n - 2;
    let j = ((i % period) + period) % period;
    if (j >= n) j = period - j;
    return j;
  }
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}

/** Reusable buffers for `filterPlane` (sized for one plane); allocate once per image size. */
export interface FilterScratch {
  readonly rowBuffer: Float64Array; // one padded row [W + 2r]
  readonly horizontal: Float64Array; // horizontally filtered plane [H, W]
}

/** Buffers for planes of `height`×`width` filtered with taps of radius `radius`. */
export function filterScratch(height: number, width: number, radius: number): FilterScratch {
  return { rowBuffer: new Float64Array(width + 2 * radius), horizontal: new Float64Array(height * width) };
}

/**
 * out = taps ⊗ taps correlated with `src` ([H, W] row-major), same size, `boundary` extension. Rows first, then
 * columns (the vertical pass walks whole rows, so every inner loop is contiguous). `out` must not alias `src`.
 */
export function filterPlane(
  src: Float64Array,
  height: number,
  width: number,
  taps: Float64Array,
  boundary: FilterBoundary,
  out: Float64Array,
  scratch: FilterScratch,
): void {
  const radius = (taps.length - 1) >> 1;
  const { rowBuffer, horizontal } = scratch;
  const nTaps = taps.length;
  // Horizontal pass: pad each row into rowBuffer, then a direct correlation.
  for (let y = 0; y < height; y++) {
    const rowStart = y * width;
    rowBuffer.set(src.subarray(rowStart, rowStart + width), radius);
    for (let p = 0; p < radius; p++) {
      rowBuffer[p] = src[rowStart + foldIndex(p - radius, width, boundary)];
      rowBuffer[width + radius + p] = src[rowStart + foldIndex(width + p, width, boundary)];
    }
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = 0; k < nTaps; k++) acc += taps[k] * rowBuffer[x + k];
      horizontal[rowStart + x] = acc;
    }
  }
  // Vertical pass: output row y = Σ_k taps[k] · horizontal row fold(y + k − r).
  for (let y = 0; y < height; y++) {
    const outStart = y * width;
    const first = foldIndex(y - radius, height, boundary) * width;
    const w0 = taps[0];
    for (let x = 0; x < width; x++) out[outStart + x] = w0 * horizontal[first + x];
    for (let k = 1; k < nTaps; k++) {
      const rowStart = foldIndex(y + k - radius, height, boundary) * width;
      const w = taps[k];
      for (let x = 0; x < width; x++) out[outStart + x] += w * horizontal[rowStart + x];
    }
  }
}

/** Normalised 1-D Gaussian taps exp(−t²/(2σ²)), t = −r..r (sum 1, float64). */
export function gaussianTaps(radius: number, sigma: number): Float64Array {
  const taps = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let t = -radius; t <= radius; t++) {
    const w = Math.exp(-(t * t) / (2 * sigma * sigma));
    taps[t + radius] = w;
    total += w;
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= total;
  return taps;
}

/** `size` equal taps 1/size (scipy `uniform_filter`). */
export function uniformTaps(size: number): Float64Array {
  return new Float64Array(size).fill(1 / size);
}
