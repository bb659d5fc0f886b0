/**
 * The Fréchet-distance network of `vqrae eval` on its engine: FID-Inception follows `--engine`/`--ep`/`--threads`
 * like the tokenizer (ONNX Runtime or tfjs); the fallback networks (embedded MobileNetV2, the checkpoint's encoder)
 * have no ONNX graph and run on tfjs. Prints one engine line for the network and records it as `featureEngine` in
 * config.json.
 */
import type { FeatureExtractor } from '@vqrae/eval';
import type { FeatureNetworkChoice } from '@vqrae/onnx';
import type { EngineChoice, EngineRecord } from '@vqrae/tokenizer';
import { recordEngine, type EngineHost } from './command-engine.js';
import { FID_ENGINE_SUBJECT, openFidInception, type FidEngineDeps } from './fid-inception-engine.js';

/** The opened network (null for `--fd-network none`) and what the run records about where it runs. */
export interface EvalFeatureNetwork {
  readonly extractor: FeatureExtractor | null;
  readonly record: EngineRecord | null;
}

/** Opens `choice` on its engine (see the file comment); the caller disposes the extractor. */
export async function openEvalFeatureNetwork(
  host: EngineHost,
  choice: FeatureNetworkChoice | null,
  deps: Partial<FidEngineDeps> = {},
): Promise<EvalFeatureNetwork> {
  if (choice === null) return { extractor: null, record: null };
  const requested = host.options.engine as EngineChoice;
  const backend = host.backend.name;
  if (choice.kind === 'fid-inception' && !host.options.dryRun) {
    const chosen = await openFidInception(choice.weights, choice.variant, host.options, { backend, ...deps });
    host.log.info(chosen.message);
    recordEngine(host.runFolder, chosen.record, 'featureEngine');
    return { extractor: chosen.value, record: chosen.record };
  }
  // --dry-run (FID-Inception's tfjs network stands in: only its feature space is needed) or a tfjs-only network.
  const { openFeatureExtractor } = await import('@vqrae/onnx'); // loaded on demand, as every use of @vqrae/onnx in the app
  const extractor = await openFeatureExtractor(choice);
  const reason = host.options.dryRun ? 'dry run: the tfjs network only names the feature space' : `${choice.kind} has no ONNX graph`;
  const subject = choice.kind === 'fid-inception' ? FID_ENGINE_SUBJECT : `engine (FD network ${choice.kind})`;
  const record: EngineRecord = { engine: 'tfjs', requested, provider: backend, threads: null, label: `tfjs(${backend})`, reason };
  host.log.info(`${subject}: tfjs (${backend}; ${reason})`);
  if (!host.options.dryRun) recordEngine(host.runFolder, record, 'featureEngine');
  return { extractor, record };
}
