/**
 * Loads `@vqrae/onnx` (and through it onnxruntime-node) on demand, so commands that never run a model, and machines
 * where the native runtime cannot load, pay nothing for it. Injected as `loadOnnx` into `chooseEngine` of
 * `@vqrae/tokenizer`, which never imports `@vqrae/onnx` itself.
 */
export type OnnxModule = typeof import('@vqrae/onnx');

/** Imports `@vqrae/onnx` and loads onnxruntime-node; throws with the reason when either cannot load. */
export async function loadOnnxModule(): Promise<OnnxModule & { readonly runtimeVersion: string }> {
  const onnx = await import('@vqrae/onnx');
  const loaded = await onnx.loadOnnxRuntime();
  if (!loaded.ok) throw new Error(loaded.reason);
  return { ...onnx, runtimeVersion: loaded.version };
}
