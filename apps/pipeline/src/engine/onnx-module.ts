/**
 * Loads `@vqrae/onnx` (and through it onnxruntime-node) on demand, so commands that never run a model, and machines
 * where the native runtime cannot load, pay nothing for it. Injected as `loadOnnx` into `openTokenizerEngine` of
 * `@vqrae/tokenizer`, which never imports `@vqrae/onnx` itself.
 */
import type { OnnxEngines } from '@vqrae/onnx';

/** Imports `@vqrae/onnx` and loads onnxruntime-node; throws with the reason when either cannot load. */
export async function loadOnnxModule(): Promise<OnnxEngines> {
  const onnx = await import('@vqrae/onnx');
  return onnx.loadOnnxEngines();
}
