/**
 * The vocabulary of engine choice: which engine to run a network on and which ONNX Runtime execution provider, plus
 * the error a choice that cannot be honoured throws. Plain data, no runtime import (onnxruntime stays unloaded).
 */

/** Every engine request: `auto` = ONNX Runtime when it loads and the network starts on it, else tfjs. */
export const ENGINE_KINDS = ['auto', 'onnx', 'tfjs'] as const;
/** Every ONNX Runtime execution provider a run may ask for. */
export const EXECUTION_PROVIDERS = ['cpu', 'webgpu', 'cuda', 'tensorrt'] as const;

/** An engine request (`auto`, `onnx`, `tfjs`). */
export type EngineChoice = (typeof ENGINE_KINDS)[number];
/** An ONNX Runtime execution provider (`cpu`, `webgpu`, `cuda`, `tensorrt`). */
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** What {@link chooseEngine} is asked for (the CLI's `--engine`, `--ep`, `--threads`). */
export interface EngineChoiceOptions {
  readonly engine: EngineChoice;
  readonly ep: ExecutionProvider;
  /** ONNX Runtime intra-op threads; undefined = the cores this process may use. */
  readonly threads?: number | undefined;
}

/**
 * A request that cannot be honoured (a forced engine that does not load, a provider without the onnx engine, an
 * unknown engine or provider). Its message is worded as the CLI prints it; the CLI maps it to its usage error.
 */
export class EngineChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineChoiceError';
  }
}
