/** Learning-rate schedules as pure functions of the 0-based step. */

/** Options of `warmupCosine`. */
export interface WarmupCosineOptions {
  /** Peak learning rate reached at the end of warm-up. */
  readonly base: number;
  /** Learning rate at the last step (cosine floor). */
  readonly final: number;
  /** Warm-up length in steps (0 = no warm-up). */
  readonly warmupSteps: number;
  /** Total number of steps (progress reaches 1, i.e. `final`, at step = totalSteps and stays there). */
  readonly totalSteps: number;
  /** Learning rate that warm-up starts from (default 0). */
  readonly warmupFrom?: number;
}

/**
 * Spec §7.6 (RAE): step < warmupSteps → from + (base − from)·(step + 1)/warmupSteps; afterwards cosine
 * final + (base − final)·0.5·(1 + cos(π·progress)) with progress = (step − warmupSteps)/(totalSteps − warmupSteps),
 * clamped to [0, 1] (the usual timm/HF convention).
 */
export function warmupCosine(opts: WarmupCosineOptions): (step: number) => number {
  const { base, final, warmupSteps, totalSteps } = opts;
  const from = opts.warmupFrom ?? 0;
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new Error(`warmupCosine: warmupSteps must be an integer >= 0, got ${warmupSteps}`);
  if (!Number.isInteger(totalSteps) || totalSteps < warmupSteps) {
    throw new Error(`warmupCosine: totalSteps must be an integer >= warmupSteps (${warmupSteps}), got ${totalSteps}`);
  }
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  return (step: number): number => {
    if (!Number.isInteger(step) || step < 0) throw new Error(`warmupCosine: step must be an integer >= 0, got ${step}`);
    if (step < warmupSteps) return from + ((base - from) * (step + 1)) / warmupSteps;
    const progress = Math.min(1, (step - warmupSteps) / decaySteps);
    return final + (base - final) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

/** Constant learning rate (convenience for tests and fixed-lr runs). */
export function constantSchedule(value: number): (step: number) => number {
  return () => value;
}
