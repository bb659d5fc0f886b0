import { filterPlane, filterScratch, type FilterBoundary, type FilterScratch } from './separable-filter.js';

/** The resolved numerical recipe of one SSIM variant (what differs between torchmetrics and skimage). */
export interface SsimRecipe {
  /** Separable 1-D window taps (odd length, sum 1). */
  readonly taps: Float64Array;
  readonly boundary: FilterBoundary;
  /** Factor on variances/covariance: N/(N−1) for skimage's sample covariance, 1 for population moments. */
  readonly covarianceScale: number;
  /** Clamp σx², σy² at 0 (current torchmetrics). */
  readonly clampVariance: boolean;
  /** Pixels dropped on every border of the SSIM map before averaging. */
  readonly crop: number;
  /** C1 = (K1·R)², C2 = (K2·R)². */
  readonly c1: number;
  readonly c2: number;
}

/** Per-size working memory of `meanSsimOfPlanes`, reused across channels and images of the same size. */
export class SsimWorkspace {
  readonly products: Float64Array[]; // x², y², x·y planes [H, W]
  readonly filtered: Float64Array[]; // μx, μy, E[x²], E[y²], E[xy] [H, W]
  readonly scratch: FilterScratch;

  constructor(
    readonly height: number,
    readonly width: number,
    radius: number,
  ) {
    const size = height * width;
    this.products = [0, 1, 2].map(() => new Float64Array(size));
    this.filtered = [0, 1, 2, 3, 4].map(() => new Float64Array(size));
    this.scratch = filterScratch(height, width, radius);
  }
}

/**
 * Mean of the SSIM map of one channel pair (pixel01 float64 planes [H, W]) under `recipe`, over the map cropped by
 * `recipe.crop` pixels on each side. Returns the sum and the number of map entries so channels can be pooled.
 */
export function ssimPlaneSum(
  x: Float64Array,
  y: Float64Array,
  recipe: SsimRecipe,
  work: SsimWorkspace,
): { readonly sum: number; readonly count: number } {
  const { height, width } = work;
  const [xx, yy, xy] = work.products;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    xx[i] = a * a;
    yy[i] = b * b;
    xy[i] = a * b;
  }
  const [muX, muY, eXX, eYY, eXY] = work.filtered;
  const inputs = [x, y, xx, yy, xy];
  for (let m = 0; m < 5; m++) filterPlane(inputs[m], height, width, recipe.taps, recipe.boundary, work.filtered[m], work.scratch);
  const { covarianceScale: k, c1, c2, clampVariance, crop } = recipe;
  if (height <= 2 * crop || width <= 2 * crop) {
    throw new Error(`ssim: image ${height}×${width} is too small for a ${crop}-pixel border crop`);
  }
  let sum = 0;
  for (let r = crop; r < height - crop; r++) {
    for (let c = crop, i = r * width + crop; c < width - crop; c++, i++) {
      const mx = muX[i];
      const my = muY[i];
      let vx = k * (eXX[i] - mx * mx);
      let vy = k * (eYY[i] - my * my);
      if (clampVariance) {
        if (vx < 0) vx = 0;
        if (vy < 0) vy = 0;
      }
      const cov = k * (eXY[i] - mx * my);
      sum += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    }
  }
  return { sum, count: (height - 2 * crop) * (width - 2 * crop) };
}
