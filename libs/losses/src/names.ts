/**
 * Every loss name known to the registry, in one place. Term keys in a loss's output start with its name
 * (e.g. `vq.commitment`), so the per-step log can never confuse two losses.
 *
 * The perceptual substitute is deliberately NOT called LPIPS anywhere (spec §8.6): it is `enc-perceptual`.
 */
export const LOSS_NAMES = {
  /** Mean squared error on pixel01 (VQRAE default). */
  l2: 'l2',
  /** Mean absolute error on pixel01 (RAE). */
  l1: 'l1',
  /** 1 − SSIM (torchmetrics variant, Gaussian σ 1.5, data range 1) on pixel01: a structural term, not in the paper. */
  ssim: 'ssim',
  /** LPIPS (VGG16 trunk + v0.1 linear heads) loaded from user-supplied safetensors. */
  lpips: 'lpips',
  /** LPIPS-style (lin=False) distance on a frozen encoder's token features; NOT LPIPS. */
  encPerceptual: 'enc-perceptual',
  /** Generator adversarial term −mean D(DiffAug(x̂)); term keys carry the discriminator label. */
  adversarial: 'adversarial',
  /** Pass-through of the quantizer's named terms, weighted. */
  vq: 'vq',
  /** Self-distillation MSE between student features and a frozen teacher's. */
  distill: 'distill',
} as const;

/** A registered loss name. */
export type LossName = (typeof LOSS_NAMES)[keyof typeof LOSS_NAMES];

/** Honest labels of the discriminator backbones (spec §7.5): which frozen network the heads look at. */
export const DISCRIMINATOR_LABELS = {
  /** Heads on the frozen teacher encoder E_T. */
  teacherEncoder: 'E_T-disc',
  /** Heads on a supplied DINO ViT-S/8. */
  dino: 'DINO-disc',
} as const;

/** A discriminator label as it appears in term keys and logs. */
export type DiscriminatorLabel = (typeof DISCRIMINATOR_LABELS)[keyof typeof DISCRIMINATOR_LABELS];
