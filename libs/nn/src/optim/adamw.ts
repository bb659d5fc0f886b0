/**
 * AdamW with an explicit per-step learning rate (spec §7.6), matching torch.optim.AdamW (amsgrad=False):
 *   θ ← θ·(1 − lr·wd)                      (decoupled weight decay, skipped when wd = 0)
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
 * Moments are non-trainable variables created lazily (zeros) the first time a parameter receives a gradient.
 * Parameters without a gradient in a step are left unchanged; the step counter t is global (one per `step` call),
 * so a parameter that skipped steps gets the bias correction of the global step (torch counts per parameter).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Hyper-parameters (no learning rate: it is passed to every `step`). */
export interface AdamWOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

/** Learning rate for a step: one value, or per parameter name (parameter groups). */
export type LearningRate = number | ((name: string) => number);

/** Serialisable optimiser state; moment keys are `exp_avg.<param>` and `exp_avg_sq.<param>`. */
export interface AdamWState {
  readonly step: number;
  readonly moments: Record<string, tf.Tensor>;
}

const FIRST = 'exp_avg.';
const SECOND = 'exp_avg_sq.';

interface Moments {
  readonly m: tf.Variable;
  readonly v: tf.Variable;
}

/** AdamW optimiser; owns its moment tensors (call `dispose`). */
export class AdamW {
  private readonly moments = new Map<string, Moments>();
  private stepCount = 0;

  constructor(readonly opts: AdamWOptions) {
    const { beta1, beta2, eps, weightDecay } = opts;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new Error(`AdamW: betas must be in [0, 1), got ${beta1}, ${beta2}`);
    if (!(eps >= 0) || !(weightDecay >= 0)) throw new Error(`AdamW: eps and weightDecay must be >= 0, got ${eps}, ${weightDecay}`);
  }

  /** Number of completed steps. */
  get stepsTaken(): number {
    return this.stepCount;
  }

  /**
   * One update of every variable that has a gradient in `grads` (caller keeps ownership of `grads`).
   * Throws when a gradient names no variable or has the wrong shape.
   */
  step(vars: ReadonlyMap<string, tf.Variable>, grads: Readonly<Record<string, tf.Tensor>>, lr: LearningRate): void {
    for (const [name, grad] of Object.entries(grads)) {
      const variable = vars.get(name);
      if (variable === undefined) throw new Error(`AdamW.step: gradient for '${name}' has no trainable variable`);
      if (variable.shape.length !== grad.shape.length || variable.shape.some((d, i) => d !== grad.shape[i])) {
        throw new Error(`AdamW.step: gradient for '${name}' has shape [${grad.shape.join(', ')}], variable [${variable.shape.join(', ')}]`);
      }
    }
    this.stepCount += 1;
    const t = this.stepCount;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    const biasCorrection1 = 1 - Math.pow(beta1, t);
    const sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(beta2, t));
    for (const [name, grad] of Object.entries(grads)) {
      const variable = vars.get(name) as tf.Variable;
      const rate = typeof lr === 'number' ? lr : lr(name);
      if (!Number.isFinite(rate)) throw new Error(`AdamW.step: learning rate for '${name}' is ${rate}`);
      const state = this.momentsFor(name, variable);
      tf.tidy(() => {
        const m = tf.add(tf.mul(state.m, beta1), tf.mul(grad, 1 - beta1));
        const v = tf.add(tf.mul(state.v, beta2), tf.mul(tf.square(grad), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBiasCorrection2), eps);
        const decayed = weightDecay > 0 ? tf.mul(variable, 1 - rate * weightDecay) : variable;
        const updated = tf.sub(decayed, tf.mul(tf.div(m, denom), rate / biasCorrection1));
        state.m.assign(m);
        state.v.assign(v);
        variable.assign(updated);
      });
    }
  }

  /** Current state; moment tensors are views owned by the optimiser (clone them to keep past the next step). */
  getState(): AdamWState {
    const moments: Record<string, tf.Tensor> = {};
    for (const [name, state] of this.moments) {
      moments[FIRST + name] = state.m;
      moments[SECOND + name] = state.v;
    }
    return { step: this.stepCount, moments };
  }

  /** Replaces the state by copies of `state` (caller keeps ownership). */
  setState(state: AdamWState): void {
    const names = new Set<string>();
    for (const key of Object.keys(state.moments)) {
      if (key.startsWith(SECOND)) names.add(key.slice(SECOND.length));
      else if (key.startsWith(FIRST)) names.add(key.slice(FIRST.length));
      else throw new Error(`AdamW.setState: unexpected key '${key}' (expected '${FIRST}<name>' or '${SECOND}<name>')`);
    }
    const incomplete = [...names].filter((n) => !(FIRST + n in state.moments) || !(SECOND + n in state.moments));
    if (incomplete.length > 0) throw new Error(`AdamW.setState: moments incomplete for ${incomplete.join(', ')}`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`AdamW.setState: invalid step ${state.step}`);
    this.disposeMoments();
    for (const name of names) {
      const m = tf.tidy(() => tf.cast(state.moments[FIRST + name], 'float32'));
      const v = tf.tidy(() => tf.cast(state.moments[SECOND + name], 'float32'));
      this.moments.set(name, { m: tf.variable(m, false), v: tf.variable(v, false) });
      m.dispose();
      v.dispose();
    }
    this.stepCount = state.step;
  }

  /** Frees the moment tensors (the optimiser can keep being used; moments restart at zero). */
  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    for (const state of this.moments.values()) {
      state.m.dispose();
      state.v.dispose();
    }
    this.moments.clear();
  }

  private momentsFor(name: string, variable: tf.Variable): Moments {
    let state = this.moments.get(name);
    if (state === undefined) {
      const zerosM = tf.zerosLike(variable);
      const zerosV = tf.zerosLike(variable);
      state = { m: tf.variable(zerosM, false), v: tf.variable(zerosV, false) }; // variables share the data buffers
      zerosM.dispose();
      zerosV.dispose();
      this.moments.set(name, state);
    } else if (state.m.shape.some((d, i) => d !== variable.shape[i]) || state.m.rank !== variable.rank) {
      throw new Error(`AdamW.step: stored moments for '${name}' have shape [${state.m.shape.join(', ')}], variable [${variable.shape.join(', ')}]`);
    }
    return state;
  }
}
