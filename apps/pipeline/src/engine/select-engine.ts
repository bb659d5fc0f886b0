/**
 * Engine choice for the inference commands: `auto` = the ONNX Runtime engine when `@vqrae/onnx` can load
 * onnxruntime-node (and the engine starts on the CPU provider), else the tfjs engine, with one printed line saying
 * which and why (like the backend line). A forced engine or provider that cannot start is an error, never a silent
 * fallback.
 *
 * Ownership: the returned engine owns the model it was opened on (`engine.dispose()` frees both); when opening
 * fails the caller still owns the model.
 */
import { tfjsEngine, type EngineChoice, type EngineRecord, type TokenizerEngine, type VqraeModel } from '@vqrae/tokenizer';
import { UsageError } from '../cli/errors.js';
import { chooseCommandEngine } from './choose-command-engine.js';
import type { EngineOptions } from './engine-options.js';
import { loadOnnxModule, type OnnxModule } from './onnx-module.js';

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
  readonly loadOnnx?: () => Promise<Pick<OnnxModule, 'OnnxEngine'> & { readonly runtimeVersion: string }>;
}

/** Opens the engine `options` ask for on a loaded model; takes ownership of `model`. */
export async function openEngine(model: VqraeModel, options: EngineOptions, deps: EngineDeps): Promise<OpenedEngine> {
  const chosen = await chooseCommandEngine(options, {
    subject: 'engine',
    backend: deps.backend,
    loadOnnx: deps.loadOnnx ?? loadOnnxModule,
    openOnnx: async (onnx, ep, threads) => {
      const engine: TokenizerEngine = await onnx.OnnxEngine.create(model, { ep, threads }); // owns the model from here on
      return { value: engine, label: engine.label };
    },
    openTfjs: async () => {
      const engine = tfjsEngine(model, `tfjs(${deps.backend})`);
      return { value: engine, label: engine.label };
    },
  });
  return { engine: chosen.value, record: chosen.record, message: chosen.message };
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
