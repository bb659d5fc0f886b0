/**
 * `OnnxEngine`: the `TokenizerEngine` on ONNX Runtime. Each graph (tokenize, reconstruct, features, decode) is
 * exported from the tfjs model in memory the first time a call needs it and gets ONE session, reused by every later
 * call of this engine (never one per batch); a graph never called is never exported (`vqrae decode` builds only the
 * decode session). Models past the protobuf limit are written to a private temporary
 * folder (ORT reads external data from files next to the model) which is removed when the session exists.
 *
 * Ownership: the engine owns the model (as `tfjsEngine` does) and its sessions; `dispose()` releases both. Inputs
 * are never retained or modified; every returned array is fresh.
 *
 * onnxruntime-node 1.30 runs a session (and creates one) synchronously on the JS thread, deferred by one
 * `setImmediate`: the event loop waits while a batch computes (as with tfjs), while sharp keeps decoding on libuv
 * threads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { type PixelBatch, type Reconstruction, type TokenizerEngine, type VqraeModel, checkPixelBatch, engineGeometry } from '@vqrae/tokenizer';
import { writeOnnxArtifact } from '../builder/write-artifact.js';
import { type OnnxGraphKind, exportOnnx } from '../export/export-onnx.js';
import { EXECUTION_PROVIDERS, type ExecutionProviderName, type OnnxRuntime, ortErrorMessage, probeExecutionProvider, providerHint, requireOnnxRuntime } from './runtime.js';

/** Options of `OnnxEngine.create`. */
export interface OnnxEngineOptions {
  readonly ep: ExecutionProviderName;
  /** Intra-op threads (default: the cores this process may use, `os.availableParallelism()`); inter-op is 1. */
  readonly threads?: number;
  /** Export float16 graphs (see `exportOnnx`). */
  readonly fp16?: boolean;
  /** Code-search chunk bound (see `exportOnnx`). */
  readonly maxChunkElements?: number;
  /** External-data threshold of the exported graphs (see `exportOnnx`; tests force a small one). */
  readonly externalDataThreshold?: number;
  /**
   * Let idle intra-op threads spin (ORT's default; a little faster on an otherwise idle machine). Default false:
   * measured on the loaded 2-core machine, small-cpu tokenize at 2 threads ran 33 img/s spinning, 68 not spinning.
   */
  readonly spinWait?: boolean;
}

type SessionGraph = Exclude<OnnxGraphKind, 'encode'>;

/** ORT session options for an engine (exported for tests and `vqrae info`). */
export function sessionOptions(opts: OnnxEngineOptions): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [opts.ep],
    intraOpNumThreads: opts.threads ?? os.availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // ORT's intra-op workers spin while waiting by default; on a shared machine (and beside sharp's libuv threads)
    // spinning workers steal the cores they wait for: 2 threads ran at half the 1-thread speed under load.
    extra: { session: { intra_op: { allow_spinning: opts.spinWait ? '1' : '0' } } },
  };
}

/** The ONNX Runtime engine of a VQRAE model. */
export class OnnxEngine implements TokenizerEngine {
  readonly kind = 'onnx' as const;
  readonly label: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly tokensPerImage: number;
  readonly codebookSize: number;
  readonly featureWidth: number;
  private readonly sessions = new Map<SessionGraph, Promise<Ort.InferenceSession>>();
  private disposed = false;

  private constructor(
    private readonly ort: OnnxRuntime,
    private readonly model: VqraeModel,
    readonly options: OnnxEngineOptions,
  ) {
    const threads = sessionOptions(options).intraOpNumThreads ?? 1;
    this.label = `onnx(${options.ep}, ${threads} thread${threads === 1 ? '' : 's'}${options.fp16 ? ', fp16' : ''})`;
    ({ inputSize: this.inputSize, outputSize: this.outputSize, tokensPerImage: this.tokensPerImage, codebookSize: this.codebookSize, featureWidth: this.featureWidth } = engineGeometry(model));
  }

  /**
   * An engine on `opts.ep`; takes ownership of `model` once it resolves (when it rejects, the caller still owns the
   * model). Loads ONNX Runtime and probes `opts.ep` with a trivial session, so an unavailable provider fails here
   * with how to get it; no graph is exported or loaded until a call needs it.
   */
  static async create(model: VqraeModel, opts: OnnxEngineOptions): Promise<OnnxEngine> {
    if (!EXECUTION_PROVIDERS.includes(opts.ep)) {
      throw new Error(`OnnxEngine: unknown execution provider '${String(opts.ep)}' (expected one of ${EXECUTION_PROVIDERS.join(', ')})`);
    }
    if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
      throw new Error(`OnnxEngine: threads must be a positive integer, got ${opts.threads}`);
    }
    const ort = await requireOnnxRuntime();
    try {
      await probeExecutionProvider(ort, opts.ep);
    } catch (error) {
      const cause = ortErrorMessage(error);
      throw new Error(`OnnxEngine: could not create a session on provider '${opts.ep}' (${cause}); ${providerHint(opts.ep)}`);
    }
    return new OnnxEngine(ort, model, opts);
  }

  async tokenize(pixels: PixelBatch): Promise<Int32Array> {
    const out = await this.run('tokenize', this.pixelFeeds(pixels, 'tokenize'));
    return out.indices.data as Int32Array; // [B, N]
  }

  async reconstruct(pixels: PixelBatch): Promise<Reconstruction> {
    const out = await this.run('reconstruct', this.pixelFeeds(pixels, 'reconstruct'));
    return { indices: out.indices.data as Int32Array, pixels: out.reconstruction.data as Float32Array };
  }

  async features(pixels: PixelBatch): Promise<Float32Array> {
    const out = await this.run('features', this.pixelFeeds(pixels, 'features'));
    return out.features.data as Float32Array; // [B, N, d]
  }

  async decode(indices: Int32Array, batch: number): Promise<Float32Array> {
    const where = `${this.label}.decode`;
    const n = this.tokensPerImage;
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`${where}: batch must be a positive integer, got ${batch}`);
    if (indices.length !== batch * n) throw new Error(`${where}: ${indices.length} indices, expected ${batch}×${n} = ${batch * n}`);
    const bad = indices.findIndex((i) => i < 0 || i >= this.codebookSize);
    if (bad >= 0) throw new Error(`${where}: index ${indices[bad]} at image ${Math.floor(bad / n)}, token ${bad % n} is outside [0, ${this.codebookSize})`);
    const feeds = { indices: new this.ort.Tensor('int32', Int32Array.from(indices), [batch, n]) };
    const out = await this.run('decode', feeds);
    return out.pixels.data as Float32Array; // [B, S_out, S_out, 3]
  }

  /** Graphs whose session exists (or is being created), in creation order. */
  get loadedGraphs(): readonly SessionGraph[] {
    return [...this.sessions.keys()];
  }

  /** Releases every session and disposes the model. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    const settled = await Promise.allSettled(sessions);
    for (const s of settled) if (s.status === 'fulfilled') await s.value.release();
    this.model.dispose();
  }

  private pixelFeeds(pixels: PixelBatch, call: string): Record<string, Ort.Tensor> {
    const where = `${this.label}.${call}`;
    if (this.disposed) throw new Error(`${where}: the engine was disposed`);
    checkPixelBatch(pixels, this.inputSize, where);
    // ORT reads the buffer during run only; a copy keeps the caller's array untouched whatever the provider does.
    return { pixels: new this.ort.Tensor('float32', Float32Array.from(pixels.data), [pixels.batch, pixels.size, pixels.size, 3]) };
  }

  private async run(graph: SessionGraph, feeds: Record<string, Ort.Tensor>): Promise<Ort.InferenceSession.ReturnType> {
    if (this.disposed) throw new Error(`${this.label}.${graph}: the engine was disposed`);
    const session = await this.session(graph);
    return session.run(feeds);
  }

  /** The graph's session, created on first use (concurrent first calls share one creation). */
  private session(graph: SessionGraph): Promise<Ort.InferenceSession> {
    let session = this.sessions.get(graph);
    if (session === undefined) {
      session = this.createSession(graph);
      this.sessions.set(graph, session);
      session.catch(() => this.sessions.delete(graph));
    }
    return session;
  }

  private async createSession(graph: SessionGraph): Promise<Ort.InferenceSession> {
    const { fp16, maxChunkElements, externalDataThreshold } = this.options;
    const artifact = exportOnnx(this.model, graph, { fp16, maxChunkElements, externalDataThreshold });
    const options = sessionOptions(this.options);
    const fail = (error: unknown): never => {
      const cause = ortErrorMessage(error);
      throw new Error(`${this.label}: could not create the '${graph}' session on provider '${this.options.ep}' (${cause}); ${providerHint(this.options.ep)}`);
    };
    if (artifact.externalData === undefined) return this.ort.InferenceSession.create(artifact.model, options).catch(fail);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vqrae-onnx-session-'));
    try {
      const [modelPath] = await writeOnnxArtifact(artifact, path.join(dir, `${graph}.onnx`));
      return await this.ort.InferenceSession.create(modelPath, options).catch(fail);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
