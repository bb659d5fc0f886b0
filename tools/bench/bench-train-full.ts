/**
 * The `full` small-cpu variant of `npm run bench:train`: the whole stage-1 recipe (L2 + enc-perceptual + E_T-disc G
 * term with the adaptive weight + D step) built exactly as a training job builds it, timed step by step against the
 * PyTorch peer tools/bench/torch_train_full.py (alternating, same run), with a per-phase split.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { silentLogger } from '@vqrae/graph';
import { buildStageLosses, buildTrainer, loadModelSource, trainDefaults, type Trainer, type TrainJobConfig } from '@vqrae/train';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';

const PYTHON = '/usr/bin/python3';
const TORCH_FULL_SCRIPT = path.join(WORKSPACE_ROOT, 'tools/bench/torch_train_full.py');
const TORCH_ENV = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };

/** One optimizer step's time split into phases (ms), summed over micro-batches. */
export interface Phases {
  prepare: number;
  adaptive: number;
  forward: number;
  backwardOptimizerEma: number;
  dStep: number;
}

/** The PyTorch full-step peer as a child process answering one step per request line. */
class TorchStepServer {
  private stderr = '';
  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly lines: AsyncIterator<string>) {
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(payload: unknown): Promise<{ server: TorchStepServer; runtime: string }> {
    const child = spawn(PYTHON, [TORCH_FULL_SCRIPT, JSON.stringify(payload)], { env: TORCH_ENV, cwd: path.dirname(TORCH_FULL_SCRIPT) });
    const server = new TorchStepServer(child, readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]());
    const ready = (await server.next()) as { threads: number; torch: string };
    return { server, runtime: `torch ${ready.torch} cpu, ${ready.threads} threads` };
  }

  async step(recompute: boolean): Promise<{ ms: number; phases: Record<string, number> }> {
    this.child.stdin.write(`${JSON.stringify({ recompute })}\n`);
    return (await this.next()) as { ms: number; phases: Record<string, number> };
  }

  close(): void {
    this.child.stdin.end('\n');
  }

  private async next(): Promise<unknown> {
    const line = await this.lines.next();
    if (line.done) throw new Error(`bench-train: ${TORCH_FULL_SCRIPT} ended early: ${this.stderr}`);
    return JSON.parse(line.value);
  }
}

/**
 * Wraps the trainer's objective (prepare, forward) and adversary (needsAdaptiveWeight marks the end of the encoder
 * work inside prepare; discriminatorStep) with clocks. Returns a function that reads and resets the step's phases.
 */
function instrument(trainer: Trainer): (totalMs: number) => Phases {
  const objective = trainer.objective;
  const adversary = trainer.adversary!;
  const clock = { prepare: 0, adaptive: 0, forward: 0, dStep: 0 };
  let mark: number | null = null;
  const prepare = objective.prepare!.bind(objective);
  objective.prepare = (images, step, micro) => {
    const start = performance.now();
    mark = null;
    try {
      return prepare(images, step, micro);
    } finally {
      const end = performance.now();
      clock.prepare += (mark ?? end) - start;
      clock.adaptive += end - (mark ?? end);
      mark = null;
    }
  };
  const needs = adversary.needsAdaptiveWeight.bind(adversary);
  adversary.needsAdaptiveWeight = (step) => {
    mark ??= performance.now();
    return needs(step);
  };
  const forward = objective.forward.bind(objective);
  objective.forward = (images, prepared, step, micro) => {
    const start = performance.now();
    try {
      return forward(images, prepared, step, micro);
    } finally {
      clock.forward += performance.now() - start;
    }
  };
  const dStep = adversary.discriminatorStep.bind(adversary);
  adversary.discriminatorStep = (reals, fakes, step, lr) => {
    const start = performance.now();
    try {
      return dStep(reals, fakes, step, lr);
    } finally {
      clock.dStep += performance.now() - start;
    }
  };
  return (totalMs) => {
    const { prepare: p, adaptive, forward: f, dStep: d } = clock;
    Object.assign(clock, { prepare: 0, adaptive: 0, forward: 0, dStep: 0 });
    return { prepare: p, adaptive, forward: f, backwardOptimizerEma: totalMs - p - adaptive - f - d, dStep: d };
  };
}

export interface FullStep {
  recompute: boolean;
  tsMs: number;
  torchMs: number;
  ts: Phases;
  torch: Phases;
}

/** The full small-cpu recipe, TS and PyTorch steps alternating; step 0 is warm-up. */
export async function benchFull(steps: number): Promise<{ measured: FullStep[]; runtime: string; images: string; adaptiveEvery: number }> {
  const out = path.join(WORKSPACE_ROOT, 'tmp/bench', 'train-full');
  const config: TrainJobConfig = {
    ...trainDefaults('small-cpu', 1), preset: 'small-cpu', stage: 1, data: '', evalData: null, out, from: null, resume: false, ganDStart: 0, ganGStart: 0,
  };
  const loaded = await loadModelSource(config, null, out, silentLogger);
  const losses = await buildStageLosses(config, loaded, silentLogger);
  const trainer = buildTrainer(config, loaded, losses);
  const phasesOf = instrument(trainer);
  const side = loaded.model.inputSize;
  const modelConfig = loaded.model.config;
  const { server, runtime } = await TorchStepServer.start({
    quantizer: modelConfig.quantizer, decoder: modelConfig.decoder, discKernel: config.discKernel, batch: config.batch,
    accumulate: config.accumulate, ganWeight: config.ganWeight, threads: 2,
  });
  const measured: FullStep[] = [];
  try {
    for (let step = 0; step <= steps; step++) {
      const recompute = trainer.adversary!.needsAdaptiveWeight(trainer.step);
      const micro = Array.from({ length: config.accumulate }, (_, i) => ({
        images: tf.randomUniform([config.batch, side, side, 3], 0, 1, 'float32', 100 * step + i) as tf.Tensor4D,
        keys: Array.from({ length: config.batch }, (_, j) => `bench-${step}-${i}-${j}`),
      }));
      const start = performance.now();
      const measure = trainer.trainStep(micro);
      const tsMs = performance.now() - start;
      if (!Number.isFinite(measure.loss)) throw new Error(`bench-train: full step ${step} loss ${measure.loss}`);
      const torch = await server.step(recompute);
      const torchPhases: Phases = {
        prepare: torch.phases['prepare']!, adaptive: torch.phases['adaptive']!, forward: torch.phases['forward']!,
        backwardOptimizerEma: torch.phases['backward']! + torch.phases['optimizer_ema']!, dStep: torch.phases['d_step']!,
      };
      const ts = phasesOf(tsMs);
      console.error(`full step ${step}${recompute ? ' (a recomputed)' : ''}: TS ${tsMs.toFixed(0)} ms, torch ${torch.ms.toFixed(0)} ms`);
      if (step > 0) measured.push({ recompute, tsMs, torchMs: torch.ms, ts, torch: torchPhases });
    }
  } finally {
    server.close();
    trainer.dispose();
    losses.dispose();
    loaded.model.dispose();
  }
  return { measured, runtime, images: `${config.batch}×${config.accumulate}`, adaptiveEvery: config.ganAdaptiveEvery };
}
