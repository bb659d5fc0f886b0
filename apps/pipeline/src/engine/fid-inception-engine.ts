/**
 * FID-Inception on the engine the command asks for (`--engine`, `--ep`, `--threads`): `openFidInceptionEngine` of
 * `@vqrae/onnx` (loaded on demand) with the CLI's errors. Used by `vqrae fid-stats` and by `vqrae eval --fid-weights`.
 */
import type { FeatureExtractor, FidInputVariant } from '@vqrae/eval';
import type { FeatureEngineDeps } from '@vqrae/onnx';
import type { ChosenEngine } from '@vqrae/tokenizer';
import { engineRequestOf, engineUsage } from './choose-command-engine.js';
import type { EngineOptions } from './engine-options.js';

/** Injectable for tests: the run's tfjs backend and (optionally) how to load the ONNX side. */
export type FidEngineDeps = FeatureEngineDeps;

/** Opens FID-Inception for `variant` on the chosen engine; the caller owns the returned extractor (`value.dispose()`). */
export async function openFidInception(weights: string, variant: FidInputVariant, options: EngineOptions, deps: FidEngineDeps): Promise<ChosenEngine<FeatureExtractor>> {
  const { openFidInceptionEngine } = await import('@vqrae/onnx');
  return openFidInceptionEngine(weights, variant, engineRequestOf(options), deps).catch((error: unknown) => {
    throw engineUsage(error);
  });
}
