import { gaussianTaps, uniformTaps } from './separable-filter.js';
import type { SsimRecipe } from './ssim-map.js';

/**
 * torchmetrics SSIM (RAE protocol, model-spec §8.3): Gaussian 11×11 σ 1.5, reflect padding, population moments,
 * channels averaged. `border: 'full'` = current torchmetrics (variances clamped at 0, mean over the whole map);
 * `'crop'` = older releases (5-pixel border cropped, no clamp). `dataRange` R sets C1 = (0.01R)², C2 = (0.03R)².
 */
export interface TorchmetricsSsim {
  readonly kind: 'torchmetrics';
  readonly border: 'full' | 'crop';
  readonly dataRange: number;
}

/**
 * skimage `structural_similarity` (SimVQ / LlamaGen protocol, model-spec §8.4) with `channel_axis=-1` on pixel01
 * images: `window: 'uniform'` = its defaults (7×7 uniform window, sample covariance N/(N−1), 3-pixel border crop);
 * `'gaussian'` = `gaussian_weights=True, use_sample_covariance=False` (11 taps σ 1.5, 5-pixel crop). Boundary: scipy
 * `mode='reflect'` (edge repeated). `dataRange`: SimVQ uses 1, LlamaGen 2.
 */
export interface SkimageSsim {
  readonly kind: 'skimage';
  readonly window: 'uniform' | 'gaussian';
  readonly dataRange: number;
}

/** One fully specified SSIM variant. */
export type SsimVariant = TorchmetricsSsim | SkimageSsim;

/** The named variants the CLI and the Arrow columns use; `torchmetrics` is the default (`ssim` column). */
export const SSIM_VARIANTS = {
  torchmetrics: { kind: 'torchmetrics', border: 'full', dataRange: 1 },
  'torchmetrics-crop': { kind: 'torchmetrics', border: 'crop', dataRange: 1 },
  skimage: { kind: 'skimage', window: 'uniform', dataRange: 1 },
  'skimage-dr2': { kind: 'skimage', window: 'uniform', dataRange: 2 },
  'skimage-gaussian': { kind: 'skimage', window: 'gaussian', dataRange: 1 },
} as const satisfies Record<string, SsimVariant>;

/** Name of a predefined SSIM variant. */
export type SsimVariantName = keyof typeof SSIM_VARIANTS;

/** The default SSIM variant (torchmetrics, full border, data range 1). */
export const DEFAULT_SSIM_VARIANT: SsimVariantName = 'torchmetrics';

/** Every predefined variant name, default first. */
export const SSIM_VARIANT_NAMES = Object.keys(SSIM_VARIANTS) as SsimVariantName[];

/** Looks up a variant by name, with an error listing the valid names. */
export function ssimVariantByName(name: string): SsimVariant {
  if (!Object.prototype.hasOwnProperty.call(SSIM_VARIANTS, name)) {
    throw new Error(`ssim: unknown variant '${name}'; expected one of ${SSIM_VARIANT_NAMES.join(', ')}`);
  }
  return SSIM_VARIANTS[name as SsimVariantName];
}

const GAUSSIAN_SIGMA = 1.5;
const GAUSSIAN_RADIUS = 5; // torchmetrics: 2·int(3.5σ+0.5)+1 = 11 taps; scipy: int(truncate 3.5 · σ + 0.5) = 5
const UNIFORM_SIZE = 7;

/** Resolves a variant to its numerical recipe (taps, boundary, moments, crop, constants). */
export function ssimRecipe(variant: SsimVariant): SsimRecipe {
  if (!(variant.dataRange > 0)) throw new Error(`ssim: dataRange must be > 0, got ${variant.dataRange}`);
  const c1 = (0.01 * variant.dataRange) ** 2;
  const c2 = (0.03 * variant.dataRange) ** 2;
  if (variant.kind === 'torchmetrics') {
    const full = variant.border === 'full';
    return {
      taps: gaussianTaps(GAUSSIAN_RADIUS, GAUSSIAN_SIGMA),
      boundary: 'mirror',
      covarianceScale: 1,
      clampVariance: full,
      crop: full ? 0 : GAUSSIAN_RADIUS,
      c1,
      c2,
    };
  }
  if (variant.window === 'gaussian') {
    return { taps: gaussianTaps(GAUSSIAN_RADIUS, GAUSSIAN_SIGMA), boundary: 'symmetric', covarianceScale: 1, clampVariance: false, crop: GAUSSIAN_RADIUS, c1, c2 };
  }
  const n = UNIFORM_SIZE * UNIFORM_SIZE;
  return {
    taps: uniformTaps(UNIFORM_SIZE),
    boundary: 'symmetric',
    covarianceScale: n / (n - 1),
    clampVariance: false,
    crop: (UNIFORM_SIZE - 1) / 2,
    c1,
    c2,
  };
}

/** A short label for reports, e.g. `skimage(uniform7, sample-cov, dr=2)`. */
export function describeSsimVariant(variant: SsimVariant): string {
  if (variant.kind === 'torchmetrics') return `torchmetrics(gauss11 σ1.5, reflect, border=${variant.border}, dr=${variant.dataRange})`;
  return variant.window === 'uniform'
    ? `skimage(uniform7, sample-cov, dr=${variant.dataRange})`
    : `skimage(gauss11 σ1.5, population-cov, dr=${variant.dataRange})`;
}
