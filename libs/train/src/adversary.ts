import * as tf from '@tensorflow/tfjs-core';
import { AdamW, ParamStore, Rng } from '@vqrae/nn';
import {
  Discriminator,
  adversarialSchedule,
  createAdversarialLoss,
  defaultDiscriminatorConfig,
  discriminatorLoss,
  type AdversarialOptions,
  type AdversarialSchedule,
  type DiscriminatorLabel,
  type FeaturePyramid,
  type Loss,
} from '@vqrae/losses';
import { addInto, disposeAll, scaleAll } from './gradients.js';

/** The adversarial part of a stage (spec §7.4–7.5): λ_G, start fractions, adaptive-weight cadence, head shape. */
export interface AdversaryConfig {
  /** Honest backbone label (`E_T-disc` for heads on the frozen teacher encoder). */
  readonly label: DiscriminatorLabel;
  /** Width of each backbone feature map (one head per map). */
  readonly channels: readonly number[];
  /** λ_G: the G loss adds λ_G·a·L_G once the G term has started. */
  readonly weight: number;
  /** D updates start at this fraction of the stage's steps (RAE 0.375). */
  readonly dStart: number;
  /** The adversarial G term starts at this fraction (RAE 0.5). */
  readonly gStart: number;
  /** Recompute the adaptive weight a every n G-active steps (1 = every step, as RAE). */
  readonly adaptiveEvery: number;
  /** Kernel of the residual head conv (RAE 9; odd, ≤ 2·tokens + 1). */
  readonly kernelSize: number;
  readonly totalSteps: number;
  /** Seeds the head initialisation and the per-step DiffAug streams. */
  readonly seed: number;
  readonly optimizer: { readonly beta1: number; readonly beta2: number; readonly eps: number; readonly weightDecay: number };
}

/** Serialised adversary state of a checkpoint (tensors + the JSON part). */
export interface AdversaryState {
  /** Head parameters (`disc.heads.*`), spectral-norm vectors (`*_u`, `*_v`) and AdamW moments (`optimizer/…`). */
  readonly tensors: Record<string, tf.Tensor>;
  readonly json: { readonly optimizerStep: number; readonly adaptive: { readonly step: number; readonly value: number } | null };
}

const MOMENT_PREFIX = 'optimizer/';

/**
 * The discriminator side of GAN training: heads (own ParamStore and AdamW), the frozen backbone pyramid, DiffAug
 * streams derived from (seed, step, micro-batch) so a resumed run draws the same augmentations, and the cached
 * adaptive weight. Owns its store, optimizer and spectral buffers (`dispose()`); borrows the backbone.
 */
export class Adversary {
  readonly schedule: AdversarialSchedule;
  readonly generatorLoss: Loss;
  private readonly options: AdversarialOptions;
  private readonly optimizer: AdamW;
  private readonly root: Rng;
  private adaptive: { step: number; value: number } | null = null;

  private constructor(
    readonly config: AdversaryConfig,
    readonly discriminator: Discriminator,
    readonly params: ParamStore,
    backbone: FeaturePyramid,
  ) {
    this.schedule = adversarialSchedule({ dStart: config.dStart, gStart: config.gStart });
    this.options = { discriminator, params: (name) => params.get(name), backbone };
    this.generatorLoss = createAdversarialLoss(this.options);
    this.optimizer = new AdamW({ ...config.optimizer });
    this.root = new Rng(config.seed);
  }

  /** Fresh heads (seeded torch-default init), or heads and spectral vectors restored from `saved` (stage 1 → 2). */
  static create(config: AdversaryConfig, backbone: FeaturePyramid, saved?: Readonly<Record<string, tf.Tensor>>): Adversary {
    const discConfig = { ...defaultDiscriminatorConfig(config.label, config.channels), kernelSize: config.kernelSize };
    const { discriminator, initialParams } = Discriminator.init(discConfig, new Rng(config.seed).fork('discriminator-init'));
    const params = new ParamStore();
    for (const [name, value] of Object.entries(initialParams)) params.add(name, value, { trainable: true });
    const adversary = new Adversary(config, discriminator, params, backbone);
    if (saved) adversary.loadHeads(saved);
    return adversary;
  }

  /** e.g. `E_T-disc(3 heads × 64ch, k=3, …), λ_G 0.75·a (a every step), D from 37.5% …`. */
  describe(): string {
    const every = this.config.adaptiveEvery === 1 ? 'every step' : `every ${this.config.adaptiveEvery} steps`;
    return `${this.discriminator.describe()}, λ_G ${this.config.weight}·a (a ${every}), ${this.schedule.describe()}`;
  }

  generatorActive(step: number): boolean {
    return this.config.weight > 0 && this.schedule.generatorActive(step, this.config.totalSteps);
  }

  discriminatorActive(step: number): boolean {
    return this.schedule.discriminatorActive(step, this.config.totalSteps);
  }

  /** The DiffAug stream of one micro-batch of one step ('g': generator term, 'd': discriminator update). */
  augmentRng(kind: 'g' | 'd', step: number, micro: number): Rng {
    return this.root.fork(`diffaug/${kind}/${step}/${micro}`);
  }

  /** Whether step `step` must recompute a (the first G-active step always does, then every `adaptiveEvery`). */
  needsAdaptiveWeight(step: number): boolean {
    return this.adaptive === null || step - this.adaptive.step >= this.config.adaptiveEvery;
  }

  /** The cached adaptive weight a (throws if none was computed yet). */
  adaptiveWeight(): number {
    if (this.adaptive === null) throw new Error('Adversary.adaptiveWeight: no adaptive weight computed yet');
    return this.adaptive.value;
  }

  recordAdaptiveWeight(step: number, value: number): void {
    this.adaptive = { step, value };
  }

  /** Term keys the D step reports (the per-step log declares them from step 0; NaN before D starts). */
  discriminatorTermNames(): string[] {
    const label = this.config.label;
    return [`${label}.d_hinge`, `${label}.d_real`, `${label}.d_fake`, `${label}.d_accuracy`, `${label}.d_grad_norm`];
  }

  /**
   * One D update (spec §7.9 step 6) over the micro-batches of a step: for each, `fakes(i)` recomputes x̂ with the
   * updated generator (no tape; this method owns and disposes it), reals and fakes go through DiffAug and the frozen
   * backbone, the heads run once in train mode (one power iteration), hinge loss; gradients are averaged over the
   * micro-batches and AdamW steps at `lr`. Borrows `reals`. Returns the averaged terms and the gradient norm.
   */
  discriminatorStep(reals: readonly tf.Tensor4D[], fakes: (micro: number) => tf.Tensor4D, step: number, lr: number): Record<string, number> {
    const variables = this.params.trainableVariables();
    const nameOf = new Map<string, string>();
    for (const [name, variable] of variables) nameOf.set(variable.name, name);
    const sums: Record<string, number> = {};
    let summed: Record<string, tf.Tensor> | null = null;
    try {
      reals.forEach((real, micro) => {
        const fake = fakes(micro);
        try {
          const rng = this.augmentRng('d', step, micro);
          let termNames: string[] = [];
          let packed: tf.Tensor | null = null;
          const { value, grads } = tf.variableGrads(() => {
            const out = discriminatorLoss(this.options, real, fake, rng);
            termNames = Object.keys(out.terms);
            packed = tf.keep(tf.stack(termNames.map((n) => out.terms[n]!))); // [T]
            return out.total;
          }, [...variables.values()]);
          value.dispose();
          const values = (packed as tf.Tensor | null)?.dataSync() ?? new Float32Array(0);
          (packed as tf.Tensor | null)?.dispose();
          termNames.forEach((name, i) => (sums[name] = (sums[name] ?? 0) + values[i]!));
          const renamed: Record<string, tf.Tensor> = {};
          for (const [varName, grad] of Object.entries(grads)) renamed[nameOf.get(varName) ?? varName] = grad;
          summed = summed === null ? renamed : addInto(summed, renamed);
        } finally {
          fake.dispose();
        }
      });
      const grads: Record<string, tf.Tensor> = summed ?? {};
      summed = null;
      const averaged = reals.length > 1 ? scaleAll(grads, 1 / reals.length) : grads;
      try {
        const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(averaged).map((g) => tf.sum(tf.square(g))))));
        const gradNorm = norm.dataSync()[0]!;
        norm.dispose();
        const terms: Record<string, number> = {};
        for (const [name, sum] of Object.entries(sums)) terms[name] = sum / reals.length;
        terms[`${this.config.label}.d_grad_norm`] = gradNorm;
        if (!Object.values(terms).every(Number.isFinite)) return terms; // the trainer's NaN guard stops before the update
        this.optimizer.step(variables, averaged, lr);
        return terms;
      } finally {
        disposeAll(averaged);
        if (averaged !== grads) disposeAll(grads);
      }
    } finally {
      if (summed !== null) disposeAll(summed);
    }
  }

  /** Checkpoint content: views of the heads and spectral vectors plus the optimizer moments (caller only reads). */
  state(): AdversaryState {
    const optimizer = this.optimizer.getState();
    const tensors: Record<string, tf.Tensor> = { ...this.params.toNamedTensors(), ...this.discriminator.spectral.toNamedTensors() };
    for (const [key, moment] of Object.entries(optimizer.moments)) tensors[`${MOMENT_PREFIX}${key}`] = moment;
    return { tensors, json: { optimizerStep: optimizer.step, adaptive: this.adaptive } };
  }

  /** Restores a `state()` (resume). Copies the tensors; the caller keeps and disposes them. */
  restore(state: AdversaryState): void {
    this.loadHeads(state.tensors);
    const moments: Record<string, tf.Tensor> = {};
    for (const [key, value] of Object.entries(state.tensors)) {
      if (key.startsWith(MOMENT_PREFIX)) moments[key.slice(MOMENT_PREFIX.length)] = value;
    }
    this.optimizer.setState({ step: state.json.optimizerStep, moments }); // copies
    this.adaptive = state.json.adaptive;
  }

  private loadHeads(saved: Readonly<Record<string, tf.Tensor>>): void {
    const heads: Record<string, tf.Tensor> = {};
    const spectral: Record<string, tf.Tensor> = {};
    const spectralKeys = new Set(Object.keys(this.discriminator.spectral.toNamedTensors()));
    for (const [key, value] of Object.entries(saved)) {
      if (this.params.has(key)) heads[key] = value;
      else if (spectralKeys.has(key)) spectral[key] = value;
    }
    this.params.load(heads, { strict: true });
    this.discriminator.spectral.load(spectral);
  }

  dispose(): void {
    this.optimizer.dispose();
    this.discriminator.dispose();
    this.params.dispose();
  }
}
