/**
 * The ONNX side of engine choice, loaded in one call: onnxruntime-node plus the openers `chooseEngine` callers inject
 * (`openTokenizerEngine` of `@vqrae/tokenizer` takes it as `loadOnnx`).
 */
import { inceptionFeatureExtractor } from '../inception/inception-feature-extractor.js';
import { inceptionFeatureSession } from '../inception/inception-session.js';
import { OnnxEngine } from './onnx-engine.js';
import { loadOnnxRuntime } from './runtime.js';

/** What {@link loadOnnxEngines} gives: the engines' constructors and the loaded runtime's version. */
export interface OnnxEngines {
  readonly OnnxEngine: typeof OnnxEngine;
  readonly inceptionFeatureSession: typeof inceptionFeatureSession;
  readonly inceptionFeatureExtractor: typeof inceptionFeatureExtractor;
  readonly runtimeVersion: string;
}

/** Loads onnxruntime-node; throws with the reason when it cannot load (an `auto` choice then falls back to tfjs). */
export async function loadOnnxEngines(): Promise<OnnxEngines> {
  const loaded = await loadOnnxRuntime();
  if (!loaded.ok) throw new Error(loaded.reason);
  return { OnnxEngine, inceptionFeatureSession, inceptionFeatureExtractor, runtimeVersion: loaded.version };
}
