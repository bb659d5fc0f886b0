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
 * out = taps ⊗ taps correlated with `src` ([H, W] row-major), same size, `boundary` extension. Taps must be
 * symmetric (Gaussian, uniform): pairs k, n−1−k share one multiply. Rows first, then
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
  if (taps.every((w) => w === taps[0])) {
    uniformFilterPlane(src, height, width, radius, boundary, out, scratch);
    return;
  }
  // Horizontal pass: pad each row into rowBuffer, then a direct correlation.
  for (let y = 0; y < height; y++) {
    const rowStart = y * width;
    padRow(src, rowStart, width, radius, boundary, rowBuffer);
    for (let x = 0; x < width; x++) {
      let acc = taps[radius] * rowBuffer[x + radius];
      for (let k = 0; k < radius; k++) acc += taps[k] * (rowBuffer[x + k] + rowBuffer[x + nTaps - 1 - k]);
      horizontal[rowStart + x] = acc;
    }
  }
  // Vertical pass: output row y = Σ_k taps[k] · horizontal row fold(y + k − r); symmetric taps pair rows k, n−1−k.
  const half = radius;
  const offsets = new Int32Array(nTaps);
  for (let y = 0; y < height; y++) {
    const outStart = y * width;
    for (let k = 0; k < nTaps; k++) offsets[k] = foldIndex(y + k - radius, height, boundary) * width;
    const centre = offsets[half];
    const wc = taps[half];
    for (let x = 0; x < width; x++) {
      let acc = wc * horizontal[centre + x];
      for (let k = 0; k < half; k++) acc += taps[k] * (horizontal[offsets[k] + x] + horizontal[offsets[nTaps - 1 - k] + x]);
      out[outStart + x] = acc;
    }
  }
}

/** Copies row `src[rowStart, rowStart + width)` into `rowBuffer` `[W + 2r]` with `radius` samples of `boundary` extension each side. */
function padRow(src: Float64Array, rowStart: number, width: number, radius: number, boundary: FilterBoundary, rowBuffer: Float64Array): void {
  rowBuffer.set(src.subarray(rowStart, rowStart + width), radius);
  for (let p = 0; p < radius; p++) {
    rowBuffer[p] = src[rowStart + foldIndex(p - radius, width, boundary)];
    rowBuffer[width + radius + p] = src[rowStart + foldIndex(width + p, width, boundary)];
  }
}

/**
 * Box filter of size 2r+1 by running sums (as scipy's `uniform_filter1d`: add the entering sample, subtract the
 * leaving one, divide by the size): O(1) per pixel whatever the window size.
 */
function uniformFilterPlane(
  src: Float64Array,
  height: number,
  width: number,
  radius: number,
  boundary: FilterBoundary,
  out: Float64Array,
  scratch: FilterScratch,
): void {
  const size = 2 * radius + 1;
  const { rowBuffer, horizontal } = scratch;
  for (let y = 0; y < height; y++) {
    const rowStart = y * width;
    padRow(src, rowStart, width, radius, boundary, rowBuffer);
    let acc = 0;
    for (let k = 0; k < size; k++) acc += rowBuffer[k];
    horizontal[rowStart] = acc / size;
    for (let x = 1; x < width; x++) {
      acc += rowBuffer[x + size - 1] - rowBuffer[x - 1];
      horizontal[rowStart + x] = acc / size;
    }
  }
  // Vertical: a running sum of whole rows; `out` row y = running row / size.
  const running = scratch.rowBuffer.subarray(0, width);
  running.fill(0);
  for (let k = -radius; k <= radius; k++) {
    const r = foldIndex(k, height, boundary) * width;
    for (let x = 0; x < width; x++) running[x] += horizontal[r + x];
  }
  for (let x = 0; x < width; x++) out[x] = running[x] / size;
  for (let y = 1; y < height; y++) {
    const enter = foldIndex(y + radius, height, boundary) * width;
    const leave = foldIndex(y - radius - 1, height, boundary) * width;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      running[x] += horizontal[enter + x] - horizontal[leave + x];
      out[o + x] = running[x] / size;
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
