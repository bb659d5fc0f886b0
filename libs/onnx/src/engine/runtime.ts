/**
 * Loading ONNX Runtime and its execution providers. `onnxruntime-node` is a native addon: it is imported lazily
 * (never at module load), so a process whose binary cannot load still imports `@vqrae/onnx` and can fall back to tfjs
 * with the reason `loadOnnxRuntime` gives.
 */
import type * as Ort from 'onnxruntime-node';

/** The onnxruntime-node module. */
export type OnnxRuntime = typeof Ort.default;

/** Execution providers an engine may ask for. */
export type ExecutionProviderName = 'cpu' | 'webgpu' | 'cuda' | 'tensorrt';

/** Every provider `listExecutionProviders` probes. */
export const EXECUTION_PROVIDERS: readonly ExecutionProviderName[] = ['cpu', 'webgpu', 'cuda', 'tensorrt'];

/** Result of `loadOnnxRuntime`. */
export type LoadedOnnxRuntime = { readonly ok: true; readonly runtime: OnnxRuntime; readonly version: string } | { readonly ok: false; readonly reason: string };

let loading: Promise<LoadedOnnxRuntime> | undefined;

/** Imports onnxruntime-node once per process; never throws (the failure reason names the package and the cause). */
export function loadOnnxRuntime(): Promise<LoadedOnnxRuntime> {
  if (loading !== undefined) return loading;
  loading = import('onnxruntime-node')
    .then((mod): LoadedOnnxRuntime => {
      // Node's ESM loader gives the CommonJS exports as `default`; tsx's interop (the module sets __esModule) gives
      // them as the namespace itself.
      const runtime = (mod.default ?? (mod as unknown as OnnxRuntime)) as OnnxRuntime | undefined;
      if (runtime?.InferenceSession === undefined) throw new Error('the module has no InferenceSession export');
      // ORT's process-wide logger (default level 'warning') prints every failed provider probe as coloured `[E:…]`
      // lines on stderr, although the same error comes back as the rejection we report with a hint. Sessions set
      // their own level (`sessionOptions`). Read once, when the first session is created.
      if (runtime.env.logLevel === undefined || runtime.env.logLevel === 'warning') runtime.env.logLevel = 'fatal';
      return { ok: true, runtime, version: runtime.env.versions.node ?? 'unknown' };
    })
    .catch((error: unknown): LoadedOnnxRuntime => {
      const cause = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return {
        ok: false,
        reason: `onnxruntime-node could not be loaded (${cause}); its npm package ships native binaries for linux/darwin/win32 on x64/arm64 only: reinstall with 'npm ci' or use the tfjs engine`,
      };
    });
  return loading;
}

/**
 * The readable part of an ONNX Runtime error, one line: ORT_ENFORCE messages start with the C++ source location and
 * function signature (`/onnxruntime_src/…/webgpu_context.cc:136 onnxruntime::webgpu::…::<lambda()> <condition> was
 * false. Failed to get a WebGPU adapter: No supported adapters`); this keeps what follows the failed condition (or
 * drops the bare source location).
 */
export function ortErrorMessage(error: unknown): string {
  const first = (error instanceof Error ? error.message : String(error)).trim().split('\n')[0]!;
  const enforce = first.indexOf(' was false. ');
  if (/^\S+\.(cc|cpp|h):\d+ /.test(first) && enforce >= 0) return first.slice(enforce + ' was false. '.length);
  return first.replace(/^\S+\.(cc|cpp|h):\d+ /, '');
}

/** Like `loadOnnxRuntime` but throws the reason. */
export async function requireOnnxRuntime(): Promise<OnnxRuntime> {
  const loaded = await loadOnnxRuntime();
  if (!loaded.ok) throw new Error(loaded.reason);
  return loaded.runtime;
}

/** How to get a provider that did not load (appended to errors and to `listExecutionProviders` notes). */
export function providerHint(ep: ExecutionProviderName): string {
  switch (ep) {
    case 'cpu':
      return 'the CPU provider is part of every onnxruntime-node install';
    case 'webgpu':
      return 'built into onnxruntime-node on linux-x64/win32/darwin; needs a WebGPU-capable adapter through a Vulkan driver (Debian 12 lavapipe 22.3 is too old: Mesa ≥ 25 lavapipe works, see tools/webgpu)';
    case 'cuda':
    case 'tensorrt':
      return `needs an NVIDIA GPU with CUDA 12 + cuDNN 9${ep === 'tensorrt' ? ' + TensorRT 10' : ''} and the provider libraries, which this repository's .npmrc skips by default: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node (downloads them from NuGet)`;
  }
}

/** One row of `listExecutionProviders`. */
export interface ExecutionProviderStatus {
  readonly name: ExecutionProviderName;
  /** Whether a session with this provider could be created here. */
  readonly loads: boolean;
  /** Why not (with how to get it), or what loaded. */
  readonly note: string;
}

/** A one-node float32 Identity model, built without the graph builder to keep this file dependency-free. */
async function trivialModel(): Promise<Uint8Array> {
  const { OnnxGraphBuilder } = await import('../builder/graph-builder.js');
  const { buildModel } = await import('../builder/model.js');
  const g = new OnnxGraphBuilder('probe');
  const x = g.input('x', 'float32', [1]);
  g.output('y', g.node('Relu', [x]), 'float32', [1]);
  return buildModel(g).model;
}

/**
 * Creates and runs a trivial one-node session on `ep` alone (milliseconds; WebGPU adapter discovery can take ~1 s).
 * Rejects with ONNX Runtime's error when the provider is unavailable here; releases everything it made.
 */
export async function probeExecutionProvider(ort: OnnxRuntime, ep: ExecutionProviderName): Promise<void> {
  const session = await ort.InferenceSession.create(await trivialModel(), { executionProviders: [ep], intraOpNumThreads: 1, logSeverityLevel: 4 });
  try {
    await session.run({ x: new ort.Tensor('float32', Float32Array.of(1), [1]) });
  } finally {
    await session.release();
  }
}

/** Probes every provider with {@link probeExecutionProvider}. For `vqrae info`. */
export async function listExecutionProviders(): Promise<ExecutionProviderStatus[]> {
  const loaded = await loadOnnxRuntime();
  if (!loaded.ok) return EXECUTION_PROVIDERS.map((name) => ({ name, loads: false, note: loaded.reason }));
  const rows: ExecutionProviderStatus[] = [];
  for (const name of EXECUTION_PROVIDERS) {
    try {
      await probeExecutionProvider(loaded.runtime, name);
      rows.push({ name, loads: true, note: `onnxruntime-node ${loaded.version}` });
    } catch (error) {
      rows.push({ name, loads: false, note: `${ortErrorMessage(error).slice(0, 200)} — ${providerHint(name)}` });
    }
  }
  return rows;
}
