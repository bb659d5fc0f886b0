import * as tf from '@tensorflow/tfjs-core';
import { AdamW, Ema, type ParamStore } from '@vqrae/nn';
import { LrGroups, type LrGroupConfig, type ScheduleConfig } from './lr-groups.js';
import { assertFinite } from './nan-guard.js';
import type { Adversary } from './adversary.js';
import { addInto, disposeAll, globalNorm, scaleAll } from './gradients.js';
import type { TrainBatch, TrainObjective } from './types.js';

/** AdamW hyper-parameters (spec §7.6; weight decay 0 = plain Adam). */
export interface OptimizerConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

/** Everything that shapes one optimizer step. */
export interface TrainerConfig {
  readonly optimizer: OptimizerConfig;
  /** Base group peak/final learning rates plus named groups (e.g. `encoder` in stage 2). */
  readonly lr: { readonly base: number; readonly final: number; readonly groups: readonly LrGroupConfig[] };
  readonly schedule: ScheduleConfig;
  readonly emaDecay: number;
  /**
   * EMA warm-up: decay_t = min(emaDecay, (1 + t)/(10 + t)) at optimizer step t (TensorFlow ExponentialMovingAverage
   * `num_updates` form), so short runs' EMA is not dominated by the initial weights. false = constant decay (RAE).
   */
  readonly emaWarmup: boolean;
  /** Clip the global gradient norm to this value; `null` = off (spec default). */
  readonly clipGradNorm: number | null;
  /** Micro-batches per optimizer step (gradient accumulation); gradients and terms are averaged over them. */
  readonly accumulate: number;
}

/** What one optimizer step measured (the trainer loop adds data position and timing). */
export interface StepMeasure {
  readonly step: number;
  readonly lr: Record<string, number>;
  readonly gradNorm: number;
  readonly loss: number;
  readonly terms: Record<string, number>;
  readonly codeCounts: Float64Array | null;
  readonly images: number;
}

/**
 * One-model trainer (spec §7.9): taped forward → gradients of the trainable variables (accumulated over
 * micro-batches) → optional clipping → AdamW with per-group learning rates → EMA update → (with an adversary, once
 * D has started) one discriminator update on fakes recomputed with the updated weights. Owns its optimizer and EMA;
 * does not own `params`, the objective or the adversary.
 */
export class Trainer {
  readonly optimizer: AdamW;
  readonly ema: Ema;
  readonly lrGroups: LrGroups;
  private stepCount = 0;

  constructor(
    readonly params: ParamStore,
    readonly objective: TrainObjective,
    readonly config: TrainerConfig,
    readonly adversary: Adversary | null = null,
  ) {
    if (adversary && !objective.reconstruct) throw new Error(`Trainer: objective ${objective.name} cannot reconstruct, so it cannot train a discriminator`);
    if (!(config.accumulate >= 1 && Number.isInteger(config.accumulate))) {
      throw new Error(`Trainer: accumulate must be a positive integer, got ${config.accumulate}`);
    }
    const { beta1, beta2, eps, weightDecay } = config.optimizer;
    this.optimizer = new AdamW({ beta1, beta2, eps, weightDecay });
    this.ema = new Ema(params, config.emaDecay, [...params.trainableVariables().keys()]);
    this.lrGroups = new LrGroups({ base: config.lr.base, final: config.lr.final }, config.lr.groups, config.schedule);
  }

  /** Number of optimizer steps taken so far (the next step's 0-based index). */
  get step(): number {
    return this.stepCount;
  }

  /** Sets the step counter (resume). */
  restoreStep(step: number): void {
    this.stepCount = step;
  }

  /**
   * One optimizer step over `micro` (length = config.accumulate). Disposes every batch's images. Throws
   * NonFiniteLossError (before any parameter changes) when a loss term or the gradient norm is not finite.
   */
  trainStep(micro: readonly TrainBatch[]): StepMeasure {
    try {
      if (micro.length !== this.config.accumulate) {
        throw new Error(`Trainer.trainStep: expected ${this.config.accumulate} micro-batches, got ${micro.length}`);
      }
      const variables = this.params.trainableVariables();
      const paramNameOf = new Map<string, string>();
      for (const [name, variable] of variables) paramNameOf.set(variable.name, name);
      const varList = [...variables.values()];
      const keys = micro.flatMap((b) => b.keys);

      let summed: Record<string, tf.Tensor> | null = null;
      const termSums: Record<string, number> = {};
      let lossSum = 0;
      let codeCounts: Float64Array | null = null;
      let images = 0;
      try {
        for (const [index, batch] of micro.entries()) {
          images += batch.images.shape[0];
          const measured = this.microStep(batch, index, varList, paramNameOf, keys);
          lossSum += measured.loss;
          for (const [term, value] of Object.entries(measured.terms)) termSums[term] = (termSums[term] ?? 0) + value;
          if (measured.codeCounts) {
            codeCounts ??= new Float64Array(measured.codeCounts.length);
            for (let j = 0; j < codeCounts.length; j++) codeCounts[j]! += measured.codeCounts[j]!;
          }
          summed = summed === null ? measured.grads : addInto(summed, measured.grads);
        }
        const grads = summed ?? {};
        summed = null;
        const scaled = this.config.accumulate > 1 ? scaleAll(grads, 1 / this.config.accumulate) : grads;
        try {
          const gradNorm = globalNorm(scaled);
          assertFinite({ grad_norm: gradNorm }, this.stepCount + 1, keys);
          const clip = this.config.clipGradNorm;
          const applied = clip !== null && gradNorm > clip ? scaleAll(scaled, clip / (gradNorm + 1e-6)) : scaled;
          const lr = this.lrGroups.rates(this.stepCount);
          this.optimizer.step(variables, applied, this.lrGroups.forStep(this.stepCount));
          if (applied !== scaled) disposeAll(applied);
          this.updateEma();
          const n = this.config.accumulate;
          const terms: Record<string, number> = {};
          for (const name of this.declaredTerms()) terms[name] = Number.NaN; // logged as NaN on steps without them
          for (const [term, sum] of Object.entries(termSums)) terms[term] = sum / n;
          if (this.adversary?.discriminatorActive(this.stepCount)) {
            const dTerms = this.discriminatorStep(micro, lr['base'] ?? this.config.lr.base, keys);
            Object.assign(terms, dTerms);
          }
          const measure: StepMeasure = { step: this.stepCount, lr, gradNorm, loss: lossSum / n, terms, codeCounts, images };
          this.stepCount += 1;
          return measure;
        } finally {
          disposeAll(scaled);
          if (scaled !== grads) disposeAll(grads);
        }
      } finally {
        if (summed !== null) disposeAll(summed);
      }
    } finally {
      for (const batch of micro) batch.images.dispose();
    }
  }

  /** Terms that only some steps report (NaN in the log otherwise): the objective's optional ones and D's. */
  declaredTerms(): string[] {
    return [...(this.objective.optionalTerms ?? []), ...(this.adversary?.discriminatorTermNames() ?? [])];
  }

  /** Spec §7.9 step 6: x̂ recomputed with the updated weights per micro-batch (no tape), one D update at the step's lr. */
  private discriminatorStep(micro: readonly TrainBatch[], lr: number, keys: readonly string[]): Record<string, number> {
    const terms = this.adversary!.discriminatorStep(micro.map((b) => b.images), (i) => this.objective.reconstruct!(micro[i]!.images), this.stepCount, lr);
    assertFinite(terms, this.stepCount + 1, keys);
    return terms;
  }

  private microStep(
    batch: TrainBatch,
    microIndex: number,
    varList: tf.Variable[],
    paramNameOf: ReadonlyMap<string, string>,
    keys: readonly string[],
  ): { grads: Record<string, tf.Tensor>; loss: number; terms: Record<string, number>; codeCounts: Float32Array | Int32Array | null } {
    const prepared = this.objective.prepare ? this.objective.prepare(batch.images, this.stepCount, microIndex) : {};
    let kept: tf.Tensor[] = [];
    try {
      let termNames: string[] = [];
      let termsPacked: tf.Tensor | null = null;
      let counts: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const out = this.objective.forward(batch.images, prepared, this.stepCount, microIndex);
        termNames = Object.keys(out.terms);
        // [T + 1]: every term then the total, read back with one transfer.
        termsPacked = tf.keep(tf.stack([...termNames.map((n) => out.terms[n]!), out.total]));
        if (out.codeCounts) counts = tf.keep(out.codeCounts);
        return out.total;
      }, varList);
      kept = [value, ...(termsPacked ? [termsPacked] : []), ...(counts ? [counts] : [])];
      const values = (termsPacked as tf.Tensor | null)?.dataSync() ?? new Float32Array(0);
      const terms: Record<string, number> = {};
      termNames.forEach((name, i) => (terms[name] = values[i]!));
      const loss = values[termNames.length] ?? Number.NaN;
      const renamed: Record<string, tf.Tensor> = {};
      for (const [varName, grad] of Object.entries(grads)) renamed[paramNameOf.get(varName) ?? varName] = grad;
      try {
        assertFinite({ ...terms, loss }, this.stepCount + 1, keys);
      } catch (error) {
        disposeAll(renamed);
        throw error;
      }
      const countValues = counts ? ((counts as tf.Tensor).dataSync() as Float32Array | Int32Array) : null;
      return { grads: renamed, loss, terms, codeCounts: countValues };
    } finally {
      for (const t of kept) t.dispose();
      for (const t of Object.values(prepared)) t.dispose();
    }
  }

  /** Current EMA decay (after warm-up it is config.emaDecay). */
  emaDecayAt(step: number): number {
    const decay = this.config.emaDecay;
    return this.config.emaWarmup ? Math.min(decay, (1 + step) / (10 + step)) : decay;
  }

  private updateEma(): void {
    const decay = this.emaDecayAt(this.stepCount);
    if (decay === this.ema.decay) {
      this.ema.update(this.params);
      return;
    }
    const averaged = this.ema.store();
    for (const name of averaged.names()) {
      const next = tf.tidy(() => tf.add(tf.mul(averaged.get(name), decay), tf.mul(this.params.get(name), 1 - decay)));
      averaged.assign(name, next);
      next.dispose();
    }
  }

  /** Releases the optimizer moments and the EMA copy. */
  dispose(): void {
    this.optimizer.dispose();
    this.ema.dispose();
  }
}
