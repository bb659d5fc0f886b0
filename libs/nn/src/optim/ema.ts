/**
 * Exponential moving average of parameters (spec §7.6: decay 0.9978, updated after every optimiser step):
 *   ema ← decay·ema + (1 − decay)·θ
 * The averaged copy is a ParamStore of frozen tensors with the source's names, owned by the Ema.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from '../params/param-store.js';

/** EMA of (a subset of) a ParamStore's parameters. */
export class Ema {
  private readonly averaged = new ParamStore();
  private readonly tracked: string[];

  /** Starts the average at the current values of `names` (default: every parameter of `source`). */
  constructor(
    source: ParamStore,
    readonly decay: number,
    names?: readonly string[],
  ) {
    if (!(decay >= 0 && decay <= 1)) throw new Error(`Ema: decay must be in [0, 1], got ${decay}`);
    this.tracked = [...(names ?? source.names())];
    for (const name of this.tracked) this.averaged.add(name, tf.clone(source.get(name)), { trainable: false });
  }

  /** Moves the average toward `source`'s current values. */
  update(source: ParamStore): void {
    for (const name of this.tracked) {
      const next = tf.tidy(() => tf.add(tf.mul(this.averaged.get(name), this.decay), tf.mul(source.get(name), 1 - this.decay)));
      this.averaged.assign(name, next);
      next.dispose();
    }
  }

  /** The averaged parameters (owned by the Ema; valid until the next `update` replaces them, per name). */
  store(): ParamStore {
    return this.averaged;
  }

  /** Frees the averaged copy. */
  dispose(): void {
    this.averaged.dispose();
  }
}
