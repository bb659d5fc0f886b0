/** Start fractions of the adversarial parts, as fractions of the stage's total steps (RAE: 6/16 and 8/16 epochs). */
export interface AdversarialScheduleOptions {
  /** D updates start at this fraction (0.375). */
  dStart: number;
  /** The adversarial term enters the G loss at this fraction (0.5). */
  gStart: number;
}

/** The resolved schedule for one stage. */
export interface AdversarialSchedule {
  /** First 0-based step with D updates: ceil(dStart·total). */
  discriminatorStartStep(totalSteps: number): number;
  /** First 0-based step with the adversarial G term: ceil(gStart·total). */
  generatorStartStep(totalSteps: number): number;
  /** Whether D trains at this 0-based step. */
  discriminatorActive(step: number, totalSteps: number): boolean;
  /** Whether the G loss includes the adversarial term at this 0-based step. */
  generatorActive(step: number, totalSteps: number): boolean;
  describe(): string;
}

/**
 * Adversarial start schedule, e.g. `adversarialSchedule({ dStart: 0.375, gStart: 0.5 })`: with 16 "epochs" of
 * steps, D starts at the start of epoch 6 and the G term at epoch 8, as RAE. Fractions in [0, 1]; 1 = never.
 */
export function adversarialSchedule(options: AdversarialScheduleOptions): AdversarialSchedule {
  for (const [name, value] of Object.entries(options)) {
    if (!(value >= 0 && value <= 1)) throw new Error(`adversarialSchedule: ${name} must be in [0, 1], got ${value}`);
  }
  // The tolerance keeps exact products (0.375·16 = 6) from rounding up through float noise.
  const start = (fraction: number, total: number) => Math.ceil(fraction * total - 1e-9);
  return {
    discriminatorStartStep: (total) => start(options.dStart, total),
    generatorStartStep: (total) => start(options.gStart, total),
    discriminatorActive: (step, total) => step >= start(options.dStart, total) && step < total,
    generatorActive: (step, total) => step >= start(options.gStart, total) && step < total,
    describe: () => `D from ${options.dStart * 100}% of steps, G-adversarial from ${options.gStart * 100}%`,
  };
}
