import { loadImage, type DecodeMode } from '@vqrae/data';
import { asyncMapStage, type SampleMeta, type Stage } from '@vqrae/graph';
import { SsimScorer } from '../metrics/ssim/ssim.js';
import { scorePair, type SsimSelection } from '../metrics/ssim-selection.js';
import type { MetricRow } from './metric-columns.js';

/** A reference and a candidate image (encoded bytes) under one key, as `matchByKey` of @vqrae/data yields them. */
export interface EncodedPair {
  readonly meta: SampleMeta;
  readonly reference: Uint8Array;
  readonly candidate: Uint8Array;
}

/**
 * Stage `psnr-ssim`: decodes both images of a pair (any size, equal on both sides) and scores PSNR + every selected
 * SSIM variant into a `MetricRow` for `arrowMetricsSink` (columns: `imageMetricColumns(ssim)`). A size mismatch or an
 * undecodable image fails with the pair's key. Order kept; `concurrency` pairs at once (default 2); `decodeMode` is passed
 * to `loadImage` (default exact; at full size, with no crop, fast decodes the same pixels).
 */
export function pairMetricsStage(ssim: SsimSelection, options: { readonly concurrency?: number; readonly name?: string; readonly decodeMode?: DecodeMode } = {}): Stage<EncodedPair, MetricRow> {
  const scorer = new SsimScorer(ssim.variants);
  const load = { decodeMode: options.decodeMode ?? 'exact' } as const;
  return asyncMapStage<EncodedPair, MetricRow>(options.name ?? 'psnr-ssim', async (pair) => {
    const [a, b] = await Promise.all([loadImage(pair.reference, load, pair.meta.key), loadImage(pair.candidate, load, pair.meta.key)]);
    if (a.width !== b.width || a.height !== b.height) {
      throw new Error(`reference is ${a.width}×${a.height} but candidate is ${b.width}×${b.height}`);
    }
    return { meta: pair.meta, values: scorePair(scorer, ssim, a.data, b.data, a.height, a.width) };
  }, { concurrency: options.concurrency ?? 2 });
}
