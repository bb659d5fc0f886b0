/** @vqrae/losses: Losses by name: pixel, perceptual (LPIPS and named substitutes), adversarial, VQ, self-distillation. */
export {};
