import { assertSameShape, pixel01Planes, type HostImage } from '../host-image.js';
import { ssimPlaneSum, SsimWorkspace, type SsimRecipe } from './ssim-map.js';
import { DEFAULT_SSIM_VARIANT, SSIM_VARIANTS, ssimRecipe, type SsimVariant, type SsimVariantName } from './ssim-variants.js';

/**
 * Computes SSIM for image pairs under a fixed set of variants, reusing working memory between images of the same
 * size (host-side float64; for the differentiable training loss see the tfjs path, not this).
 */
export class SsimScorer {
  private readonly recipes: { readonly name: string; readonly recipe: SsimRecipe }[];
  private workspace: SsimWorkspace | undefined;

  constructor(variants: Readonly<Record<string, SsimVariant>>) {
    this.recipes = Object.entries(variants).map(([name, variant]) => ({ name, recipe: ssimRecipe(variant) }));
    if (this.recipes.length === 0) throw new Error('SsimScorer: at least one variant is required');
  }

  /** Mean SSIM of one pair for every variant, keyed by the names given to the constructor. */
  score(a: HostImage, b: HostImage): Record<string, number> {
    assertSameShape(a, b, 'ssim');
    const planesA = pixel01Planes(a);
    const planesB = pixel01Planes(b);
    const radius = Math.max(...this.recipes.map((r) => (r.recipe.taps.length - 1) / 2));
    if (!this.workspace || this.workspace.height !== a.height || this.workspace.width !== a.width) {
      this.workspace = new SsimWorkspace(a.height, a.width, radius);
    }
    const out: Record<string, number> = {};
    for (const { name, recipe } of this.recipes) {
      let sum = 0;
      let count = 0;
      for (let c = 0; c < a.channels; c++) {
        const part = ssimPlaneSum(planesA[c], planesB[c], recipe, this.workspace);
        sum += part.sum;
        count += part.count;
      }
      out[name] = sum / count;
    }
    return out;
  }
}

/** Mean SSIM of one image pair under `variant` (default: torchmetrics, full border, data range 1). */
export function ssim(a: HostImage, b: HostImage, variant: SsimVariant = SSIM_VARIANTS[DEFAULT_SSIM_VARIANT]): number {
  return new SsimScorer({ ssim: variant }).score(a, b).ssim;
}

/** torchmetrics-style SSIM (model-spec §8.3). */
export function ssimTorchmetrics(
  a: HostImage,
  b: HostImage,
  options: { readonly border?: 'full' | 'crop'; readonly dataRange?: number } = {},
): number {
  return ssim(a, b, { kind: 'torchmetrics', border: options.border ?? 'full', dataRange: options.dataRange ?? 1 });
}

/** skimage `structural_similarity`-style SSIM (model-spec §8.4). */
export function ssimSkimage(
  a: HostImage,
  b: HostImage,
  options: { readonly dataRange?: number; readonly window?: 'uniform' | 'gaussian' } = {},
): number {
  return ssim(a, b, { kind: 'skimage', window: options.window ?? 'uniform', dataRange: options.dataRange ?? 1 });
}

/** Scores `a`/`b` under named predefined variants (all of them by default). */
export function ssimByName(a: HostImage, b: HostImage, names: readonly SsimVariantName[]): Record<string, number> {
  return new SsimScorer(Object.fromEntries(names.map((n) => [n, SSIM_VARIANTS[n]]))).score(a, b);
}
