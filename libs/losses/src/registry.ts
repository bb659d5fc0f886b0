import { LOSS_NAMES, type LossName } from './names.js';
import type { Loss } from './types.js';
import { createL1Loss } from './pixel/l1.js';
import { createL2Loss } from './pixel/l2.js';
import { createSsimLoss } from './pixel/ssim.js';
import { createLpipsLoss, type LpipsLossOptions } from './perceptual/lpips.js';
import { createEncPerceptualLoss, type EncPerceptualLossOptions } from './perceptual/enc-perceptual.js';
import { createAdversarialLoss, type AdversarialOptions } from './adversarial/adversarial.js';
import { createVqLoss, type VqTermWeights } from './regularizers/vq.js';
import { createDistillLoss } from './regularizers/distill.js';

/** The options each registered loss takes (what its factory needs beyond the per-step inputs). */
export interface LossOptionsByName {
  l2: Record<string, never>;
  l1: Record<string, never>;
  ssim: Record<string, never>;
  lpips: LpipsLossOptions;
  'enc-perceptual': EncPerceptualLossOptions;
  adversarial: AdversarialOptions;
  vq: { weights?: VqTermWeights };
  distill: Record<string, never>;
}

/** Builds a loss from its options. */
export type LossFactory<N extends LossName> = (options: LossOptionsByName[N]) => Loss;

/** Losses by name; registration is explicit and a name can be registered once. */
export class LossRegistry {
  private readonly factories = new Map<LossName, (options: never) => Loss>();

  /** Registers a factory; throws if the name is already taken. */
  register<N extends LossName>(name: N, factory: LossFactory<N>): void {
    if (this.factories.has(name)) throw new Error(`LossRegistry.register: loss '${name}' is already registered`);
    this.factories.set(name, factory as (options: never) => Loss);
  }

  /** Builds the loss `name` with its options; throws listing the known names if unknown. */
  create<N extends LossName>(name: N, options: LossOptionsByName[N]): Loss {
    const factory = this.factories.get(name) as LossFactory<N> | undefined;
    if (factory === undefined) {
      throw new Error(`LossRegistry.create: unknown loss '${name}' (registered: ${this.names().join(', ')})`);
    }
    const loss = factory(options);
    if (loss.name !== name) throw new Error(`LossRegistry.create: factory for '${name}' built a loss named '${loss.name}'`);
    return loss;
  }

  /** Whether a name is registered. */
  has(name: string): name is LossName {
    return this.factories.has(name as LossName);
  }

  /** Registered names, in registration order. */
  names(): LossName[] {
    return [...this.factories.keys()];
  }
}

/** A registry with every built-in loss registered (one explicit line each). */
export function createDefaultLossRegistry(): LossRegistry {
  const registry = new LossRegistry();
  registry.register(LOSS_NAMES.l2, createL2Loss);
  registry.register(LOSS_NAMES.l1, createL1Loss);
  registry.register(LOSS_NAMES.ssim, createSsimLoss);
  registry.register(LOSS_NAMES.lpips, createLpipsLoss);
  registry.register(LOSS_NAMES.encPerceptual, createEncPerceptualLoss);
  registry.register(LOSS_NAMES.adversarial, createAdversarialLoss);
  registry.register(LOSS_NAMES.vq, createVqLoss);
  registry.register(LOSS_NAMES.distill, createDistillLoss);
  return registry;
}
