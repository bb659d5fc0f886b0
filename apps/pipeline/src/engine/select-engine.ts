/**
 * Engine choice for the inference commands: `auto` = the ONNX Runtime engine when `@vqrae/onnx` can load
 * onnxruntime-node (and the engine starts on the CPU provider), else the tfjs engine, with one printed line saying
 * which and why (like the backend line). A forced engine or provider that cannot start is an error, never a silent
 * fallback.
 *
 * Ownership: the returned engine owns the model it was opened on (`engine.dispose()` frees both); when opening
 * fails the caller still owns the model.
 */
import os from 'node:os';
import { tfjsEngine, type TokenizerEngine, type VqraeModel } from '@vqrae/tokenizer';
import { UsageError } from '../cli/errors.js';
import type { EngineChoice, EngineOptions, ExecutionProvider } from './engine-options.js';
import { loadOnnxModule, type OnnxModule } from './onnx-module.js';

/** What a run records about its engine (config.json, provenance, dump metadata). */
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
  readonly loadOnnx?: () => Promise<Pick<OnnxModule, 'OnnxEngine'> & { readonly runtimeVersion: string }>;
}

/** Cores this process may use (the default of --threads). */
export function defaultThreads(): number {
  return os.availableParallelism();
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}

function tfjsOpened(model: VqraeModel, requested: EngineChoice, backend: string, reason: string): OpenedEngine {
  const engine = tfjsEngine(model, `tfjs(${backend})`);
  const record: EngineRecord = { engine: 'tfjs', requested, provider: backend, threads: null, label: engine.label, reason };
  return { engine, record, message: `engine: tfjs (${backend}; ${reason})` };
}

/** Opens the engine `options` ask for on a loaded model; takes ownership of `model`. */
export async function openEngine(model: VqraeModel, options: EngineOptions, deps: EngineDeps): Promise<OpenedEngine> {
  const requested = options.engine as EngineChoice;
  const ep = options.ep as ExecutionProvider;
  if (requested === 'tfjs') {
    if (ep !== 'cpu') throw new UsageError(`--ep ${ep} needs --engine onnx (or auto); the tfjs engine runs on --backend`);
    return tfjsOpened(model, requested, deps.backend, 'forced by --engine');
  }
  let onnx: Awaited<ReturnType<NonNullable<EngineDeps['loadOnnx']>>>;
  try {
    onnx = await (deps.loadOnnx ?? loadOnnxModule)();
  } catch (error) {
    const why = `onnxruntime-node could not be loaded (${firstLine(error)})`;
    if (requested === 'onnx') throw new UsageError(`--engine onnx: ${why}`);
    if (ep !== 'cpu') throw new UsageError(`--ep ${ep} needs the onnx engine, but ${why}`);
    return tfjsOpened(model, requested, deps.backend, `auto: ${why}`);
  }
  const threads = options.threads ?? defaultThreads();
  let engine: TokenizerEngine;
  try {
    engine = await onnx.OnnxEngine.create(model, { ep, threads }); // owns the model from here on
  } catch (error) {
    // A forced engine or provider fails; `auto` on the CPU provider falls back (e.g. a graph the exporter cannot
    // build), saying why. The model is still ours when create() rejects.
    if (requested !== 'auto' || ep !== 'cpu') throw error;
    return tfjsOpened(model, requested, deps.backend, `auto: the ONNX engine could not start (${firstLine(error)})`);
  }
  const reason = requested === 'auto' ? `auto: onnxruntime-node ${onnx.runtimeVersion} loads` : 'forced by --engine';
  const record: EngineRecord = { engine: 'onnx', requested, provider: ep, threads, label: engine.label, reason };
  return { engine, record, message: `engine: onnx (${ep}, ${threads} thread${threads === 1 ? '' : 's'}; ${reason})` };
}

/**
 * The engine of `dump-features --hf` (a bare SigLIP tower, no VQRAE checkpoint to export): tfjs only. `--engine onnx`
 * or a non-cpu `--ep` is a usage error; `auto` says why it chose tfjs.
 */
export function tfjsOnlyRecord(options: EngineOptions, backend: string, label: string, why: string): { record: EngineRecord; message: string } {
  const requested = options.engine as EngineChoice;
  if (requested === 'onnx') throw new UsageError(`--engine onnx: ${why}`);
  if (options.ep !== 'cpu') throw new UsageError(`--ep ${options.ep} needs the onnx engine: ${why}`);
  const reason = requested === 'auto' ? `auto: ${why}` : 'forced by --engine';
  return { record: { engine: 'tfjs', requested, provider: backend, threads: null, label, reason }, message: `engine: tfjs (${backend}; ${reason})` };
}
