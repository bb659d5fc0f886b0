/**
 * Static description of Keras MobileNetV2 (alpha 1.0) up to `block_13_expand_relu` (stride 16, 576 channels),
 * the part the `mobilenetv2-imagenet-stride16` adapter runs. Names are the Keras layer names; the packaged topology is
 * checked against this description when the weights are loaded.
 */

/** Inverted-residual block i = 1..16: output channels and stride (Keras `_inverted_res_block` settings). */
const BLOCKS: ReadonlyArray<{ out: number; stride: 1 | 2 }> = [
  { out: 24, stride: 2 }, { out: 24, stride: 1 },
  { out: 32, stride: 2 }, { out: 32, stride: 1 }, { out: 32, stride: 1 },
  { out: 64, stride: 2 }, { out: 64, stride: 1 }, { out: 64, stride: 1 }, { out: 64, stride: 1 },
  { out: 96, stride: 1 }, { out: 96, stride: 1 }, { out: 96, stride: 1 },
  { out: 160, stride: 2 },
];

/** Expansion factor of blocks 1..16. */
export const EXPANSION = 6;
/** Keras BatchNormalization epsilon used by MobileNetV2. */
export const BN_EPSILON = 1e-3;
/** Channels of the stem conv and of the first (non-expanding) block's projection. */
export const STEM_CHANNELS = 32;
export const FIRST_PROJECT_CHANNELS = 16;

/** One inverted-residual block of the cut model. `depthwise`/`project` are absent for the last (cut) block. */
export interface BlockSpec {
  readonly index: number;
  readonly inChannels: number;
  readonly expandChannels: number;
  readonly outChannels: number;
  readonly stride: 1 | 2;
  readonly residual: boolean;
  /** false for block 13, which is cut after its expand ReLU. */
  readonly complete: boolean;
}

/** Blocks 1..13 with channel bookkeeping. */
export function mobileNetV2Blocks(): BlockSpec[] {
  const blocks: BlockSpec[] = [];
  let inChannels = FIRST_PROJECT_CHANNELS;
  BLOCKS.forEach((spec, i) => {
    const index = i + 1;
    blocks.push({
      index,
      inChannels,
      expandChannels: inChannels * EXPANSION,
      outChannels: spec.out,
      stride: spec.stride,
      residual: spec.stride === 1 && inChannels === spec.out,
      complete: index < 13,
    });
    inChannels = spec.out;
  });
  return blocks;
}

/** Keras weight name (tfjs manifest, `layer/weight`) → shape, for every weight the cut model uses. */
export function mobileNetV2WeightShapes(): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  const bn = (layer: string, channels: number) => {
    for (const w of ['gamma', 'beta', 'moving_mean', 'moving_variance']) shapes[`${layer}/${w}`] = [channels];
  };
  shapes['Conv1/kernel'] = [3, 3, 3, STEM_CHANNELS]; // HWIO
  bn('bn_Conv1', STEM_CHANNELS);
  shapes['expanded_conv_depthwise/depthwise_kernel'] = [3, 3, STEM_CHANNELS, 1];
  bn('expanded_conv_depthwise_BN', STEM_CHANNELS);
  shapes['expanded_conv_project/kernel'] = [1, 1, STEM_CHANNELS, FIRST_PROJECT_CHANNELS];
  bn('expanded_conv_project_BN', FIRST_PROJECT_CHANNELS);
  for (const block of mobileNetV2Blocks()) {
    const name = `block_${block.index}`;
    shapes[`${name}_expand/kernel`] = [1, 1, block.inChannels, block.expandChannels];
    bn(`${name}_expand_BN`, block.expandChannels);
    if (!block.complete) continue;
    shapes[`${name}_depthwise/depthwise_kernel`] = [3, 3, block.expandChannels, 1];
    bn(`${name}_depthwise_BN`, block.expandChannels);
    shapes[`${name}_project/kernel`] = [1, 1, block.expandChannels, block.outChannels];
    bn(`${name}_project_BN`, block.outChannels);
  }
  return shapes;
}

/** Keras layer names of the cut model in topological order (checked against the packaged topology). */
export function mobileNetV2LayerNames(): string[] {
  const names = ['input_1', 'Conv1_pad', 'Conv1', 'bn_Conv1', 'Conv1_relu', 'expanded_conv_depthwise', 'expanded_conv_depthwise_BN',
    'expanded_conv_depthwise_relu', 'expanded_conv_project', 'expanded_conv_project_BN'];
  for (const block of mobileNetV2Blocks()) {
    const b = `block_${block.index}`;
    names.push(`${b}_expand`, `${b}_expand_BN`, `${b}_expand_relu`);
    if (!block.complete) continue;
    if (block.stride === 2) names.push(`${b}_pad`);
    names.push(`${b}_depthwise`, `${b}_depthwise_BN`, `${b}_depthwise_relu`, `${b}_project`, `${b}_project_BN`);
    if (block.residual) names.push(`${b}_add`);
  }
  return names;
}

/** The Keras layer the adapter is cut at (its output is Z_I). */
export const CUT_LAYER = 'block_13_expand_relu';

/** One tappable layer output of the cut model: a square map `side × side × channels` (NHWC). */
export interface TapMapSpec {
  readonly name: string;
  readonly side: number;
  readonly channels: number;
}

/**
 * The tappable layer outputs along the path to the cut, in forward order, at `inputSize` px (224; a multiple of
 * 32): the ReLU6 outputs (conv and BN before a ReLU are fused and not tapped on their own), the linear projection
 * BNs and the residual adds, ending with `block_13_expand_relu`.
 */
export function mobileNetV2TapMaps(inputSize = 224): TapMapSpec[] {
  let side = inputSize / 2; // Conv1 has stride 2
  const maps: TapMapSpec[] = [
    { name: 'Conv1_relu', side, channels: STEM_CHANNELS },
    { name: 'expanded_conv_depthwise_relu', side, channels: STEM_CHANNELS },
    { name: 'expanded_conv_project_BN', side, channels: FIRST_PROJECT_CHANNELS },
  ];
  for (const block of mobileNetV2Blocks()) {
    const b = `block_${block.index}`;
    maps.push({ name: `${b}_expand_relu`, side, channels: block.expandChannels });
    if (!block.complete) break;
    side /= block.stride;
    maps.push({ name: `${b}_depthwise_relu`, side, channels: block.expandChannels });
    maps.push({ name: `${b}_project_BN`, side, channels: block.outChannels });
    if (block.residual) maps.push({ name: `${b}_add`, side, channels: block.outChannels });
  }
  return maps;
}
