/**
 * FID-Inception on the engine the command asks for (`--engine`, `--ep`, `--threads`, the same rule as the
 * tokenizer's): the ONNX Runtime graph of `@vqrae/onnx` (parity ~1e-6 with tfjs) or the tfjs `FidInception`. Used by
 * `vqrae fid-stats` and by `vqrae eval --fid-weights`.
 */
import type { FeatureExtractor, FidInputVariant } from '@vqrae/eval';
import type { ChosenEngine } from '@vqrae/tokenizer';
import { chooseCommandEngine } from './choose-command-engine.js';
import type { EngineOptions } from './engine-options.js';
import { loadOnnxModule, type OnnxModule } from './onnx-module.js';

/** The start of the printed engine line of FID-Inception. */
export const FID_ENGINE_SUBJECT = 'engine (FID-Inception)';

/** Injectable for tests. */
export interface FidEngineDeps {
  /** The tfjs backend the run selected (for labels and records). */
  readonly backend: string;
  readonly loadOnnx?: () => Promise<Pick<OnnxModule, 'inceptionFeatureSession' | 'inceptionFeatureExtractor'> & { readonly runtimeVersion: string }>;
}

/**
 * Opens FID-Inception (`weights`: converted safetensors, any width divisor) for `variant` on the chosen engine.
 * The caller owns the returned extractor (`value.dispose()`).
 */
export async function openFidInception(
  weights: string,
  variant: FidInputVariant,
  options: EngineOptions,
  deps: FidEngineDeps,
): Promise<ChosenEngine<FeatureExtractor>> {
  return chooseCommandEngine(options, {
    subject: FID_ENGINE_SUBJECT,
    backend: deps.backend,
    loadOnnx: deps.loadOnnx ?? loadOnnxModule,
    openOnnx: async (onnx, ep, threads) => {
      const session = await onnx.inceptionFeatureSession(weights, variant, { ep, threads });
      return { value: onnx.inceptionFeatureExtractor(session), label: session.label };
    },
    openTfjs: async () => {
      const { loadTfjsFidInception } = await import('@vqrae/onnx'); // on demand, like the ONNX side
      return { value: await loadTfjsFidInception(weights, variant), label: `tfjs(${deps.backend})` };
    },
  });
}
