/**
 * The one rule of engine choice, shared by every network an inference command runs (the tokenizer, FID-Inception):
 * `auto` = ONNX Runtime when onnxruntime-node loads and the network starts on it, else tfjs with the reason; a forced
 * engine or provider that cannot start is an error, never a silent fallback.
 *
 * No import of `@vqrae/onnx` or onnxruntime here: the caller injects how to load and open the network
 * ({@link EngineOpeners}), so choosing tfjs never loads the native runtime.
 */
import os from 'node:os';
import { ENGINE_KINDS, EXECUTION_PROVIDERS, EngineChoiceError, type EngineChoice, type EngineChoiceOptions, type ExecutionProvider } from './engine-choice.js';

/** What a run records about the engine of one network (config.json, provenance, dump metadata). */
export interface EngineRecord {
  readonly engine: 'onnx' | 'tfjs';
  readonly requested: EngineChoice;
  /** ONNX Runtime execution provider, or the tfjs backend. */
  readonly provider: string;
  /** ONNX Runtime intra-op threads; null for tfjs (its backend decides). */
  readonly threads: number | null;
  readonly label: string;
  /** Why this engine (auto) or `forced by --engine`. */
  readonly reason: string;
}

/** A network opened on the chosen engine, with its record and the one line to print. */
export interface ChosenEngine<T> {
  readonly value: T;
  readonly record: EngineRecord;
  /** e.g. `engine: onnx (cpu, 2 threads; auto: onnxruntime-node 1.30.0 loads)`. */
  readonly message: string;
}

/** How to open one network on either engine. */
export interface EngineOpeners<T, M> {
  /** Start of the printed line: `engine` (the tokenizer) or e.g. `engine (FID-Inception)`. */
  readonly subject: string;
  /** The tfjs backend of the run (for labels and records). */
  readonly backend: string;
  /** Loads `@vqrae/onnx` and onnxruntime-node; rejects with the reason when they cannot load. */
  readonly loadOnnx: () => Promise<M & { readonly runtimeVersion: string }>;
  /** Opens the network on ONNX Runtime; a rejection falls back to tfjs only under `auto` on the CPU provider. */
  readonly openOnnx: (onnx: M, ep: ExecutionProvider, threads: number) => Promise<{ readonly value: T; readonly label: string }>;
  readonly openTfjs: () => Promise<{ readonly value: T; readonly label: string }>;
}

/** Cores this process may use (the default of --threads). */
export function defaultThreads(): number {
  return os.availableParallelism();
}

/** First line of an error message, at most 200 characters (for one-line reasons). */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}

/**
 * Opens a network on the engine `options` ask for (see the file comment for the rule). Throws
 * {@link EngineChoiceError} for a request that cannot be honoured (unknown engine or provider, a non-cpu provider on
 * tfjs, a forced onnx engine whose runtime does not load); a forced engine that fails to open the network rethrows
 * the opener's error.
 */
export async function chooseEngine<T, M>(options: EngineChoiceOptions, openers: EngineOpeners<T, M>): Promise<ChosenEngine<T>> {
  const requested: EngineChoice = options.engine;
  const ep: ExecutionProvider = options.ep;
  if (!ENGINE_KINDS.includes(requested)) throw new EngineChoiceError(`--engine ${String(requested)}: must be one of ${ENGINE_KINDS.join(', ')}`);
  if (!EXECUTION_PROVIDERS.includes(ep)) throw new EngineChoiceError(`--ep ${String(ep)}: must be one of ${EXECUTION_PROVIDERS.join(', ')}`);
  const { subject, backend } = openers;
  const onTfjs = async (reason: string): Promise<ChosenEngine<T>> => {
    const { value, label } = await openers.openTfjs();
    const record: EngineRecord = { engine: 'tfjs', requested, provider: backend, threads: null, label, reason };
    return { value, record, message: `${subject}: tfjs (${backend}; ${reason})` };
  };
  if (requested === 'tfjs') {
    if (ep !== 'cpu') throw new EngineChoiceError(`--ep ${ep} needs --engine onnx (or auto); the tfjs engine runs on --backend`);
    return onTfjs('forced by --engine');
  }
  let onnx: M & { readonly runtimeVersion: string };
  try {
    onnx = await openers.loadOnnx();
  } catch (error) {
    const why = `onnxruntime-node could not be loaded (${firstLine(error)})`;
    if (requested === 'onnx') throw new EngineChoiceError(`--engine onnx: ${why}`);
    if (ep !== 'cpu') throw new EngineChoiceError(`--ep ${ep} needs the onnx engine, but ${why}`);
    return onTfjs(`auto: ${why}`);
  }
  const threads = options.threads ?? defaultThreads();
  let opened: { readonly value: T; readonly label: string };
  try {
    opened = await openers.openOnnx(onnx, ep, threads);
  } catch (error) {
    // A forced engine or provider fails; `auto` on the CPU provider falls back (e.g. a graph the exporter cannot
    // build), saying why.
    if (requested !== 'auto' || ep !== 'cpu') throw error;
    return onTfjs(`auto: the ONNX engine could not start (${firstLine(error)})`);
  }
  const reason = requested === 'auto' ? `auto: onnxruntime-node ${onnx.runtimeVersion} loads` : 'forced by --engine';
  const record: EngineRecord = { engine: 'onnx', requested, provider: ep, threads, label: opened.label, reason };
  return { value: opened.value, record, message: `${subject}: onnx (${ep}, ${threads} thread${threads === 1 ? '' : 's'}; ${reason})` };
}
