import { warmupCosine } from '@vqrae/nn';

/** One parameter group: parameters whose checkpoint name starts with one of `prefixes` train at their own rate. */
export interface LrGroupConfig {
  readonly name: string;
  readonly prefixes: readonly string[];
  /** Peak learning rate after warm-up. */
  readonly base: number;
  /** Learning rate at the last step (cosine end point). */
  readonly final: number;
}

/** Warm-up + cosine shared by every group (spec §7.6). */
export interface ScheduleConfig {
  readonly warmupSteps: number;
  readonly totalSteps: number;
}

/**
 * Per-name learning rates: the `base` group (every parameter no other group claims) plus named groups matched by
 * name prefix (e.g. the encoder at 0.1× in stage 2). Each group follows its own warm-up + cosine curve.
 */
export class LrGroups {
  private readonly schedules = new Map<string, (step: number) => number>();
  private readonly cache = new Map<string, string>();

  constructor(
    base: { readonly base: number; readonly final: number },
    private readonly groups: readonly LrGroupConfig[],
    schedule: ScheduleConfig,
  ) {
    const make = (peak: number, final: number): ((step: number) => number) =>
      warmupCosine({ base: peak, final, warmupSteps: schedule.warmupSteps, totalSteps: schedule.totalSteps });
    this.schedules.set('base', make(base.base, base.final));
    for (const group of groups) {
      if (group.name === 'base' || this.schedules.has(group.name)) {
        throw new Error(`LrGroups: duplicate learning-rate group '${group.name}'`);
      }
      this.schedules.set(group.name, make(group.base, group.final));
    }
  }

  /** Name of the group that parameter `name` belongs to. */
  groupOf(name: string): string {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const group = this.groups.find((g) => g.prefixes.some((prefix) => name.startsWith(prefix)))?.name ?? 'base';
    this.cache.set(name, group);
    return group;
  }

  /** Learning rate of every group at `step` (0-based optimizer step). */
  rates(step: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [group, schedule] of this.schedules) out[group] = schedule(step);
    return out;
  }

  /** Per-parameter learning rate function for AdamW.step at `step`. */
  forStep(step: number): (name: string) => number {
    const rates = this.rates(step);
    return (name) => rates[this.groupOf(name)] ?? 0;
  }
}
