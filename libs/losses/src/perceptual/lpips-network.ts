import * as tf from '@tensorflow/tfjs-core';
import { check } from '../internal/ops.js';

/**
 * LPIPS-VGG16 weights (spec §8.6) as they appear in the converted safetensors file
 * (`tools/convert/lpips_to_safetensors.py`): torchvision key names for the trunk, LPIPS v0.1 names for the heads.
 *
 * - `features.{i}.weight` [C_out, C_in, 3, 3] (OIHW) and `features.{i}.bias` [C_out] for the 13 convs at
 *   torchvision `vgg16.features` indices {0,2,5,7,10,12,14,17,19,21,24,26,28};
 * - `lin{l}.model.1.weight` [1, C_l, 1, 1] for l = 0..4 (relu1_2, relu2_2, relu3_3, relu4_3, relu5_3), non-negative.
 */
export const LPIPS_VGG16_CONV_INDICES = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28] as const;

/** Conv indices of each LPIPS slice ([0:4], [4:9], [9:16], [16:23], [23:30]); a 2×2 max-pool precedes slices 2–5. */
export const LPIPS_VGG16_SLICES: readonly (readonly number[])[] = [
  [0, 2],
  [5, 7],
  [10, 12, 14],
  [17, 19, 21],
  [24, 26, 28],
];

/** Names of the five tapped layers, in order. */
export const LPIPS_LAYER_NAMES = ['relu1_2', 'relu2_2', 'relu3_3', 'relu4_3', 'relu5_3'] as const;

/** Output widths of the 13 convs of the real VGG16 (for the strict 'vgg16' topology check). */
const VGG16_WIDTHS = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512];

/** ScalingLayer constants (pm1 input): x' = (x − shift) / scale per RGB channel. */
export const LPIPS_SHIFT = [-0.03, -0.088, -0.188] as const;
export const LPIPS_SCALE = [0.458, 0.448, 0.45] as const;

/** Which topology `LpipsNetwork.fromNamedTensors` accepts. */
export type LpipsTopology =
  /** The real VGG16 widths (64…512); use for converted pretrained weights. */
  | { kind: 'vgg16' }
  /** Same layer structure, any widths (test fixtures with a width-reduced VGG). */
  | { kind: 'any-width' };

interface ConvLayer {
  filter: tf.Tensor4D; // HWIO [3, 3, C_in, C_out]
  /** The same kernel rotated 180° with in/out swapped, HWIO [3, 3, C_out, C_in], for the input gradient. */
  adjointFilter: tf.Tensor4D;
  bias: tf.Tensor1D; // [C_out]
}

/**
 * A frozen 3×3 'same' stride-1 convolution whose input gradient is itself a forward convolution with the adjoint
 * kernel: dx = conv2d(dy, rot180(W)ᵀ). wasm's Conv2DBackpropInput kernel exists and gives the same values, but
 * measured 1.1–3× slower than this forward conv on VGG shapes (worst on the deep 512-channel layers). No filter
 * gradient (the trunk is frozen).
 */
function frozenConv3x3(x: tf.Tensor4D, conv: ConvLayer): tf.Tensor4D {
  const op = tf.customGrad((...inputs) => {
    const input = inputs[0] as tf.Tensor4D;
    return {
      value: tf.conv2d(input, conv.filter, 1, 'same'),
      gradFunc: (dy: tf.Tensor) => tf.conv2d(dy as tf.Tensor4D, conv.adjointFilter, 1, 'same'),
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * The frozen LPIPS network: VGG16 trunk convs in TF.js layout plus the five non-negative linear heads.
 * Owns its tensors (plain tf.Tensors, never Variables: no optimizer state, no weight gradients); `dispose()`.
 */
export class LpipsNetwork {
  private constructor(
    private readonly convs: Map<number, ConvLayer>,
    /** lin{l} weights flattened to [C_l]. */
    private readonly heads: tf.Tensor1D[],
    private readonly shift: tf.Tensor1D,
    private readonly scale: tf.Tensor1D,
    /** Widths of the five tapped layers. */
    readonly layerWidths: readonly number[],
  ) {}

  /**
   * Builds the network from named tensors in the converted file's layout (see the key list above). Copies what it
   * needs (OIHW → HWIO); the inputs stay owned by the caller. Throws one error listing every missing,
   * mis-shaped or negative entry.
   */
  static fromNamedTensors(named: Readonly<Record<string, tf.Tensor>>, topology: LpipsTopology): LpipsNetwork {
    const where = 'LpipsNetwork.fromNamedTensors';
    const problems: string[] = [];
    let inChannels = 3;
    const widths: number[] = [];
    LPIPS_VGG16_CONV_INDICES.forEach((index, n) => {
      const w = named[`features.${index}.weight`];
      const b = named[`features.${index}.bias`];
      if (w === undefined || b === undefined) {
        problems.push(`missing features.${index}.weight/bias`);
        return;
      }
      const out = w.shape[0] ?? -1;
      const expectedOut = topology.kind === 'vgg16' ? VGG16_WIDTHS[n] : out;
      const wanted = [expectedOut, inChannels, 3, 3];
      if (w.rank !== 4 || w.shape.some((d, i) => d !== wanted[i])) {
        problems.push(`features.${index}.weight has shape [${w.shape}], expected [${wanted}]`);
      }
      if (b.rank !== 1 || b.shape[0] !== out) problems.push(`features.${index}.bias has shape [${b.shape}], expected [${out}]`);
      inChannels = out;
      widths.push(out);
    });
    // Width of each tapped layer = width of the last conv of its slice (positions 1, 3, 6, 9, 12 of the 13 convs).
    const layerWidths = [1, 3, 6, 9, 12].map((position) => widths[position] ?? -1);
    layerWidths.forEach((width, l) => {
      const lin = named[`lin${l}.model.1.weight`];
      if (lin === undefined) problems.push(`missing lin${l}.model.1.weight`);
      else if (lin.size !== width || lin.shape[0] !== 1) {
        problems.push(`lin${l}.model.1.weight has shape [${lin.shape}], expected [1, ${width}, 1, 1]`);
      } else if (minimumOf(lin) < 0) problems.push(`lin${l}.model.1.weight has negative entries`);
    });
    check(problems.length === 0, where, () => `invalid LPIPS weights (${topology.kind}): ${problems.join('; ')}`);

    const convs = new Map<number, ConvLayer>();
    for (const index of LPIPS_VGG16_CONV_INDICES) {
      const w = named[`features.${index}.weight`] as tf.Tensor4D;
      convs.set(index, {
        filter: tf.transpose(w, [2, 3, 1, 0]), // OIHW → HWIO [kh, kw, C_in, C_out]
        adjointFilter: tf.tidy(() => tf.reverse(tf.transpose(w, [2, 3, 0, 1]), [0, 1])), // [kh', kw', C_out, C_in], rotated
        bias: tf.clone(named[`features.${index}.bias`]) as tf.Tensor1D,
      });
    }
    const heads = layerWidths.map((_, l) => tf.reshape(named[`lin${l}.model.1.weight`], [-1]) as tf.Tensor1D);
    return new LpipsNetwork(convs, heads, tf.tensor1d([...LPIPS_SHIFT]), tf.tensor1d([...LPIPS_SCALE]), layerWidths as number[]);
  }

  /**
   * VGG16 trunk on pm1 images [B, H, W, 3] (scaling layer first): the five relu features (NHWC), shallow to deep.
   * Caller owns the returned tensors.
   */
  features(imagesPm1: tf.Tensor4D): tf.Tensor4D[] {
    return tf.tidy(() => {
      let x = tf.div(tf.sub(imagesPm1, this.shift), this.scale) as tf.Tensor4D;
      const taps: tf.Tensor4D[] = [];
      LPIPS_VGG16_SLICES.forEach((slice, s) => {
        if (s > 0) x = tf.maxPool(x, 2, 2, 'valid');
        for (const index of slice) {
          const conv = this.convs.get(index) as ConvLayer;
          x = tf.relu(tf.add(frozenConv3x3(x, conv), conv.bias)) as tf.Tensor4D;
        }
        taps.push(x);
      });
      return taps;
    });
  }

  /** The non-negative head weights of layer l, flattened to [C_l] (borrowed; do not dispose). */
  head(layer: number): tf.Tensor1D {
    return this.heads[layer];
  }

  /** Releases every tensor. */
  dispose(): void {
    for (const conv of this.convs.values()) {
      conv.filter.dispose();
      conv.adjointFilter.dispose();
      conv.bias.dispose();
    }
    for (const h of this.heads) h.dispose();
    this.shift.dispose();
    this.scale.dispose();
  }
}

function minimumOf(t: tf.Tensor): number {
  const m = tf.min(t);
  const value = m.dataSync()[0];
  m.dispose();
  return value;
}
