/**
 * The Fréchet-distance network of `vqrae eval` on its engine (`openFeatureNetworkEngine` of `@vqrae/onnx`: FID-Inception
 * follows `--engine`/`--ep`/`--threads`, the other networks run on tfjs), printed as one engine line and recorded as
 * `featureEngine` in config.json. Under `--dry-run` the tfjs network stands in and nothing is recorded.
 */
import type { FeatureExtractor } from '@vqrae/eval';
import type { FeatureNetworkChoice } from '@vqrae/onnx';
import type { EngineChoice, EngineRecord } from '@vqrae/tokenizer';
import { engineRequestOf, engineUsage } from './choose-command-engine.js';
import { recordEngine, type EngineHost } from './command-engine.js';
import type { FidEngineDeps } from './fid-inception-engine.js';

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
  const backend = host.backend.name;
  const onnx = await import('@vqrae/onnx'); // loaded on demand, as every use of @vqrae/onnx in the app
  if (host.options.dryRun) {
    // FID-Inception's tfjs network stands in: only its feature space is needed.
    const extractor = await onnx.openFeatureExtractor(choice);
    const reason = 'dry run: the tfjs network only names the feature space';
    const subject = choice.kind === 'fid-inception' ? onnx.FID_ENGINE_SUBJECT : `engine (FD network ${choice.kind})`;
    host.log.info(`${subject}: tfjs (${backend}; ${reason})`);
    const record: EngineRecord = { engine: 'tfjs', requested: host.options.engine as EngineChoice, provider: backend, threads: null, label: `tfjs(${backend})`, reason };
    return { extractor, record };
  }
  const chosen = await onnx.openFeatureNetworkEngine(choice, engineRequestOf(host.options), { ...deps, backend }).catch((error: unknown) => {
    throw engineUsage(error);
  });
  host.log.info(chosen.message);
  recordEngine(host.runFolder, chosen.record, 'featureEngine');
  return { extractor: chosen.value, record: chosen.record };
}
