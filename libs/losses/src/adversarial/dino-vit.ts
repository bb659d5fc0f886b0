import * as tf from '@tensorflow/tfjs-core';
import { layerNorm, linear, mlp, multiHeadAttention, patchify, type ActivationName } from '@vqrae/nn';
import type { FeaturePyramid } from '../types.js';
import { check } from '../internal/ops.js';
import { toDinoInput } from './dino-input.js';
import {
  DINO_VIT_S8,
  copyDinoVitWeights,
  describeDinoConfig,
  dinoTokenCount,
  dinoWeightTensors,
  validateDinoVitConfig,
  type DinoBlockWeights,
  type DinoVitConfig,
  type DinoVitWeights,
} from './dino-vit-weights.js';

/**
 * The frozen DINO ViT (ViT-S/8 by default) behind `DINO-disc` (spec §7.5), as RAE's `FrozenDINONoDrop` runs it:
 * pm1 image → `toDinoInput` (bilinear resize to imageSize, half-pixel centres; ImageNet normalisation) → patch
 * embedding (conv p×p stride p, computed as patchify + linear) → [cls; patches] + pos_embed → `depth` pre-norm
 * blocks x += attn(norm1(x)); x += mlp(norm2(x)) (GELU-tanh, spec) → token maps with the cls token removed.
 *
 * Feature maps (`pyramid`), in RAE's order — this order fixes which head (`disc.heads.{i}`) sees which map:
 *   map 0      = output of the LAST block (block depth−1), WITHOUT the final `norm` LayerNorm;
 *   maps 1..T  = outputs of blocks `taps` (2, 5, 8, 11 for ViT-S/8), also un-normalised.
 * Evidence (bytetriper/RAE @ a4d18c4, src/disc/dinodisc.py, read for understanding): `FrozenDINONoDrop.forward`
 * appends `x[:, 1:]` after each block in `key_depths`, then `activations.insert(0, x[:, 1:])` with the last block's
 * x; `self.norm` is built (and loaded from the checkpoint) but never applied in that forward. With the default
 * taps the "final output again" therefore equals the block-11 map numerically (two separate tensors here).
 * The official DINO `forward`/`get_intermediate_layers` would apply `norm`; RAE's disc does not, and neither do we.
 *
 * Frozen: weights are plain tf.Tensors owned by this object (never Variables: no optimizer state, no weight
 * gradients; the linear layers run in @vqrae/nn's `frozen` mode). The pyramid is differentiable w.r.t. the images
 * (the generator's adversarial term backpropagates through it). `dispose()` releases the weights.
 */
export class DinoVit {
  /** Width of each map (one head per map: pass as `DiscriminatorConfig.channels`). */
  readonly channels: readonly number[];
  /** Patch tokens per map, N = (imageSize / patchSize)² (784 for ViT-S/8 at 224). */
  readonly tokens: number;
  /**
   * FeaturePyramid: pm1 images [B, H, W, 3] of any size → 1 + taps.length maps [B, N, width] (order above).
   * The caller owns the returned tensors.
   */
  readonly pyramid: FeaturePyramid;
  private disposed = false;

  private constructor(
    readonly config: DinoVitConfig,
    private readonly weights: DinoVitWeights,
  ) {
    this.channels = Object.freeze(Array.from({ length: config.taps.length + 1 }, () => config.width));
    this.tokens = dinoTokenCount(config);
    this.pyramid = (imagesPm1) => this.features(imagesPm1);
  }

  /**
   * Builds the network from tensors named as in the official DINO checkpoint / timm ViT (see `dinoVitShapes`).
   * Strict: throws one error listing every missing, unexpected and mis-shaped key. Copies (the key third of every
   * qkv bias is zeroed in the copy); the inputs stay owned by the caller.
   */
  static fromNamedTensors(named: Readonly<Record<string, tf.Tensor>>, config: DinoVitConfig = DINO_VIT_S8): DinoVit {
    const where = 'DinoVit.fromNamedTensors';
    validateDinoVitConfig(config, where);
    return new DinoVit(config, copyDinoVitWeights(named, config, where));
  }

  /** e.g. `DINO ViT p8 w384 d12 h6 mlp1536 @224, taps 2,5,8,11+final, gelu_tanh (frozen)`. */
  describe(): string {
    return `DINO ${describeDinoConfig(this.config)} (frozen)`;
  }

  /** Releases the weights. Using the network afterwards throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(dinoWeightTensors(this.weights));
  }

  private features(imagesPm1: tf.Tensor4D): tf.Tensor3D[] {
    const where = 'DinoVit.pyramid';
    check(!this.disposed, where, () => 'the network has been disposed');
    check(imagesPm1.rank === 4 && imagesPm1.shape[3] === 3, where, () => `expected pm1 images [B, H, W, 3], got [${imagesPm1.shape}]`);
    const { config, weights } = this;
    const activationName = config.activation ?? 'gelu_tanh';
    return tf.tidy(() => {
      const batch = imagesPm1.shape[0];
      const input = toDinoInput(imagesPm1, config.imageSize); // [B, S, S, 3] ImageNet-normalised
      const patches = patchify(input, config.patchSize, 'c-py-px'); // [B, N, 3·p·p] in OIHW flatten order
      const embedded = linear(patches, weights.patchWeight, weights.patchBias, { frozen: true }); // [B, N, D]
      const cls = tf.tile(weights.clsToken, [batch, 1, 1]); // [B, 1, D]
      let x = tf.add(tf.concat([cls, embedded], 1), weights.posEmbed) as tf.Tensor3D; // [B, N + 1, D]
      const tapped: tf.Tensor3D[] = [];
      const tapSet = new Set(config.taps);
      weights.blocks.forEach((block, i) => {
        x = runBlock(x, block, config, activationName);
        if (tapSet.has(i)) tapped.push(dropClsToken(x));
      });
      return [dropClsToken(x), ...tapped]; // RAE order: final first
    });
  }
}

/** One pre-norm block: x + attn(norm1(x)), then + mlp(norm2(x)). x [B, T, D] → [B, T, D]. */
function runBlock(x: tf.Tensor3D, block: DinoBlockWeights, config: DinoVitConfig, act: ActivationName): tf.Tensor3D {
  const frozen = { frozen: true };
  const attended = multiHeadAttention(layerNorm(x, block.norm1.gamma, block.norm1.beta, config.eps), block.attention, config.heads, frozen); // [B, T, D]
  const mid = tf.add(x, attended); // [B, T, D]
  const mlpOut = mlp(layerNorm(mid, block.norm2.gamma, block.norm2.beta, config.eps), block.fc1, block.fc2, act, frozen); // [B, T, D]
  return tf.add(mid, mlpOut) as tf.Tensor3D;
}

/** [B, 1 + N, D] → [B, N, D] (a new tensor each call). */
function dropClsToken(x: tf.Tensor3D): tf.Tensor3D {
  return tf.slice(x, [0, 1, 0], [-1, -1, -1]);
}
