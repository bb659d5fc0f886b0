/**
 * Engine choice for the inference commands (`openTokenizerEngine` of `@vqrae/tokenizer` with the command's options):
 * `auto` = the ONNX Runtime engine when `@vqrae/onnx` can load onnxruntime-node, else tfjs, with one printed line
 * saying which and why. Ownership: the returned engine owns the model it was opened on; when opening fails the caller
 * still owns the model.
 */
import { openTokenizerEngine, tfjsOnlyEngine, type EngineRecord, type TokenizerEngine, type TokenizerEngineDeps, type VqraeModel } from '@vqrae/tokenizer';
import { engineRequestOf, engineUsage } from './choose-command-engine.js';
import type { EngineOptions } from './engine-options.js';
import { loadOnnxModule } from './onnx-module.js';

export type { EngineRecord } from '@vqrae/tokenizer';

export interface OpenedEngine {
  readonly engine: TokenizerEngine;
  readonly record: EngineRecord;
  /** The one line to print, e.g. `engine: onnx (cpu, 2 threads; auto: onnxruntime-node loads)`. */
  readonly message: string;
}

/** Injectable for tests. */
export interface EngineDeps {
  /** The tfjs backend the run selected (for labels and records). */
  readonly backend: string;
  readonly loadOnnx?: TokenizerEngineDeps['loadOnnx'];
}

/** Opens the engine `options` ask for on a loaded model; takes ownership of `model`. */
export async function openEngine(model: VqraeModel, options: EngineOptions, deps: EngineDeps): Promise<OpenedEngine> {
  const chosen = await openTokenizerEngine(model, engineRequestOf(options), { backend: deps.backend, loadOnnx: deps.loadOnnx ?? loadOnnxModule }).catch((error: unknown) => {
    throw engineUsage(error);
  });
  return { engine: chosen.value, record: chosen.record, message: chosen.message };
}

/**
 * The engine of `dump-features --hf` (a bare SigLIP tower, no VQRAE checkpoint to export): tfjs only. `--engine onnx`
 * or a non-cpu `--ep` is a usage error; `auto` says why it chose tfjs.
 */
export function tfjsOnlyRecord(options: EngineOptions, backend: string, label: string, why: string): { record: EngineRecord; message: string } {
  try {
    return tfjsOnlyEngine(engineRequestOf(options), backend, label, why);
  } catch (error) {
    throw engineUsage(error);
  }
}
