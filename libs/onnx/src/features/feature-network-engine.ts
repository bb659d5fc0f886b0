/**
 * Fréchet-distance networks on their engine: FID-Inception follows the engine request like the tokenizer (ONNX
 * Runtime graph, parity ~1e-6 with tfjs, or the tfjs `FidInception`); the other networks (embedded MobileNetV2, the
 * checkpoint's encoder) have no ONNX graph and run on tfjs, saying so. The caller owns the returned extractor.
 */
import type { FeatureExtractor, FidInputVariant } from '@vqrae/eval';
import { chooseEngine, type ChosenEngine, type EngineChoiceOptions } from '@vqrae/tokenizer';
import { loadOnnxEngines, type OnnxEngines } from '../engine/load-engines.js';
import { loadTfjsFidInception, openFeatureExtractor, type FeatureNetworkChoice } from './feature-networks.js';

/** The start of the printed engine line of FID-Inception. */
export const FID_ENGINE_SUBJECT = 'engine (FID-Inception)';

/** Where the engines come from. */
export interface FeatureEngineDeps {
  /** The tfjs backend the caller registered (for labels and records). */
  readonly backend: string;
  /** Default {@link loadOnnxEngines}; injectable for tests. */
  readonly loadOnnx?: () => Promise<Pick<OnnxEngines, 'inceptionFeatureSession' | 'inceptionFeatureExtractor' | 'runtimeVersion'>>;
}

/**
 * Opens FID-Inception (`weights`: converted safetensors, any width divisor) for `variant` on the engine `request`
 * asks for; throws `EngineChoiceError` for a request that cannot be honoured.
 */
export async function openFidInceptionEngine(
  weights: string,
  variant: FidInputVariant,
  request: EngineChoiceOptions,
  deps: FeatureEngineDeps,
): Promise<ChosenEngine<FeatureExtractor>> {
  return chooseEngine(request, {
    subject: FID_ENGINE_SUBJECT,
    backend: deps.backend,
    loadOnnx: deps.loadOnnx ?? loadOnnxEngines,
    openOnnx: async (onnx, ep, threads) => {
      const session = await onnx.inceptionFeatureSession(weights, variant, { ep, threads });
      return { value: onnx.inceptionFeatureExtractor(session), label: session.label };
    },
    openTfjs: async () => ({ value: await loadTfjsFidInception(weights, variant), label: `tfjs(${deps.backend})` }),
  });
}

/** Opens the FD network `choice` on its engine (see the file comment). */
export async function openFeatureNetworkEngine(choice: FeatureNetworkChoice, request: EngineChoiceOptions, deps: FeatureEngineDeps): Promise<ChosenEngine<FeatureExtractor>> {
  if (choice.kind === 'fid-inception') return openFidInceptionEngine(choice.weights, choice.variant, request, deps);
  const extractor = await openFeatureExtractor(choice);
  const reason = `${choice.kind} has no ONNX graph`;
  const label = `tfjs(${deps.backend})`;
  return {
    value: extractor,
    record: { engine: 'tfjs', requested: request.engine, provider: deps.backend, threads: null, label, reason },
    message: `engine (FD network ${choice.kind}): tfjs (${deps.backend}; ${reason})`,
  };
}
