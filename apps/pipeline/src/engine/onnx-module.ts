/**
 * Loads `@vqrae/onnx` (and through it onnxruntime-node) on demand, so commands that never run a model, and machines
 * where the native runtime cannot load, pay nothing for it. The app is the only place that chooses an engine.
 */
import type { TokenizerEngine, VqraeModel } from '@vqrae/tokenizer';
import type { ExecutionProvider } from './engine-options.js';

/** The part of `@vqrae/onnx` the app uses. */
export interface OnnxModule {
  loadOnnxRuntime(): Promise<unknown>;
  listExecutionProviders(): Promise<readonly { readonly name: string; readonly loads: boolean; readonly note: string }[]>;
  OnnxEngine: { create(model: VqraeModel, opts: { ep: ExecutionProvider; threads?: number; fp16?: boolean }): Promise<TokenizerEngine> };
}

/** Imports `@vqrae/onnx` and loads onnxruntime-node; throws with the reason when either cannot load. */
export async function loadOnnxModule(): Promise<OnnxModule> {
  const onnx = (await import('@vqrae/onnx')) as unknown as OnnxModule;
  if (typeof onnx.loadOnnxRuntime !== 'function' || typeof onnx.OnnxEngine?.create !== 'function') {
    throw new Error('@vqrae/onnx has no ONNX Runtime engine in this build');
  }
  await onnx.loadOnnxRuntime();
  return onnx;
}
