/**
 * Opening a VQRAE model on the engine a request asks for ({@link chooseEngine}'s rule): the ONNX Runtime engine of
 * `@vqrae/onnx` (injected through `loadOnnx`, so this library never imports it) or the tfjs engine on the backend the
 * caller registered. Also the record of networks that only run on tfjs.
 *
 * Ownership: on success the returned engine owns `model` (`engine.dispose()` frees both); when opening fails the
 * caller still owns it.
 */
import { chooseEngine, type ChosenEngine, type EngineRecord } from './choose-engine.js';
import { EngineChoiceError, type EngineChoice, type EngineChoiceOptions, type ExecutionProvider } from './engine-choice.js';
import { tfjsEngine } from './tfjs-engine.js';
import type { TokenizerEngine } from './tokenizer-engine.js';
import type { VqraeModel } from '../model/vqrae-model.js';

/** The part of `@vqrae/onnx` the tokenizer engine needs (its `OnnxEngine`). */
export interface OnnxTokenizerEngines {
  readonly OnnxEngine: {
    create(model: VqraeModel, options: { readonly ep: ExecutionProvider; readonly threads?: number }): Promise<TokenizerEngine>;
  };
}

/** Where the engines come from. */
export interface TokenizerEngineDeps {
  /** The tfjs backend the caller registered (for labels and records). */
  readonly backend: string;
  /** Loads `@vqrae/onnx` and onnxruntime-node (e.g. its `loadOnnxEngines`); rejects with the reason when they cannot load. */
  readonly loadOnnx: () => Promise<OnnxTokenizerEngines & { readonly runtimeVersion: string }>;
}

/**
 * Opens `model` on the engine `request` asks for (see the file comment for ownership). Throws
 * {@link EngineChoiceError} for a request that cannot be honoured; a forced engine that cannot open the model rethrows
 * the engine's error.
 */
export async function openTokenizerEngine(model: VqraeModel, request: EngineChoiceOptions, deps: TokenizerEngineDeps): Promise<ChosenEngine<TokenizerEngine>> {
  return chooseEngine(request, {
    subject: 'engine',
    backend: deps.backend,
    loadOnnx: deps.loadOnnx,
    openOnnx: async (onnx, ep, threads) => {
      const engine = await onnx.OnnxEngine.create(model, { ep, threads }); // owns the model from here on
      return { value: engine, label: engine.label };
    },
    openTfjs: async () => {
      const engine = tfjsEngine(model, `tfjs(${deps.backend})`);
      return { value: engine, label: engine.label };
    },
  });
}

/**
 * The engine record of a network that has no ONNX graph (e.g. a bare SigLIP tower): tfjs, with `why` as the reason
 * under `auto`. A forced `onnx` engine or a non-cpu provider is an {@link EngineChoiceError} naming `why`.
 */
export function tfjsOnlyEngine(request: EngineChoiceOptions, backend: string, label: string, why: string): { readonly record: EngineRecord; readonly message: string } {
  const requested: EngineChoice = request.engine;
  if (requested === 'onnx') throw new EngineChoiceError(`--engine onnx: ${why}`);
  if (request.ep !== 'cpu') throw new EngineChoiceError(`--ep ${request.ep} needs the onnx engine: ${why}`);
  const reason = requested === 'auto' ? `auto: ${why}` : 'forced by --engine';
  return { record: { engine: 'tfjs', requested, provider: backend, threads: null, label, reason }, message: `engine: tfjs (${backend}; ${reason})` };
}
