/**
 * FID-Inception-v3 topology as data (model-spec.md §8.5.1): every BasicConv2d with its torchvision module name,
 * channels, kernel, stride and padding, grouped into the stem and the Mixed blocks. The weight table, the loader's
 * strict check and the forward pass are all derived from this one description.
 *
 * `widthDivisor` divides every channel count except the 3 input channels (1 = the real network, 2048-d pool3).
 * Width-reduced variants have the SAME topology and key names; they exist for small committed parity fixtures.
 */

/** One BasicConv2d = conv (no bias) → BatchNorm(eps 0.001) → ReLU. Padding 'same' is used only for stride 1. */
export interface ConvSpec {
  /** torchvision module path, e.g. `Mixed_5b.branch5x5_2` (weights live at `<name>.conv.weight`, `<name>.bn.*`). */
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: { readonly h: number; readonly w: number };
  readonly stride: 1 | 2;
  readonly padding: 'same' | 'valid';
}

/** Pool branch kinds of the FID blocks: average excluding padding (A, C, E_1) or max (E_2). */
export type PoolBranch = 'avg-exclude-pad' | 'max';

/** The Mixed blocks, as a discriminated union on `kind` (torchvision class names without the FID prefix). */
export type MixedBlock =
  | { readonly kind: 'A'; readonly name: string; readonly convs: InceptionAConvs }
  | { readonly kind: 'B'; readonly name: string; readonly convs: InceptionBConvs }
  | { readonly kind: 'C'; readonly name: string; readonly convs: InceptionCConvs }
  | { readonly kind: 'D'; readonly name: string; readonly convs: InceptionDConvs }
  | { readonly kind: 'E'; readonly name: string; readonly pool: PoolBranch; readonly convs: InceptionEConvs };

export interface InceptionAConvs {
  readonly branch1x1: ConvSpec; readonly branch5x5_1: ConvSpec; readonly branch5x5_2: ConvSpec;
  readonly branch3x3dbl_1: ConvSpec; readonly branch3x3dbl_2: ConvSpec; readonly branch3x3dbl_3: ConvSpec;
  readonly branch_pool: ConvSpec;
}
export interface InceptionBConvs {
  readonly branch3x3: ConvSpec; readonly branch3x3dbl_1: ConvSpec; readonly branch3x3dbl_2: ConvSpec;
  readonly branch3x3dbl_3: ConvSpec;
}
export interface InceptionCConvs {
  readonly branch1x1: ConvSpec; readonly branch7x7_1: ConvSpec; readonly branch7x7_2: ConvSpec;
  readonly branch7x7_3: ConvSpec; readonly branch7x7dbl: readonly ConvSpec[]; readonly branch_pool: ConvSpec;
}
export interface InceptionDConvs {
  readonly branch3x3_1: ConvSpec; readonly branch3x3_2: ConvSpec; readonly branch7x7x3: readonly ConvSpec[];
}
export interface InceptionEConvs {
  readonly branch1x1: ConvSpec; readonly branch3x3_1: ConvSpec; readonly branch3x3_2a: ConvSpec;
  readonly branch3x3_2b: ConvSpec; readonly branch3x3dbl_1: ConvSpec; readonly branch3x3dbl_2: ConvSpec;
  readonly branch3x3dbl_3a: ConvSpec; readonly branch3x3dbl_3b: ConvSpec; readonly branch_pool: ConvSpec;
}

export interface InceptionArchitecture {
  readonly widthDivisor: number;
  /** Conv2d_1a_3x3 … Conv2d_4a_3x3 in order; max pools 3×3/2 follow Conv2d_2b_3x3 and Conv2d_4a_3x3. */
  readonly stem: readonly ConvSpec[];
  readonly blocks: readonly MixedBlock[];
  /** Length of the pool3 feature (2048 / widthDivisor). */
  readonly featureDim: number;
}

/** Builds the FID-Inception-v3 description; throws if `widthDivisor` does not divide every channel count. */
export function fidInceptionArchitecture(widthDivisor = 1): InceptionArchitecture {
  if (!Number.isInteger(widthDivisor) || widthDivisor < 1) {
    throw new Error(`fidInceptionArchitecture: widthDivisor must be a positive integer, got ${widthDivisor}`);
  }
  const w = (n: number): number => {
    if (n % widthDivisor !== 0) throw new Error(`fidInceptionArchitecture: widthDivisor ${widthDivisor} does not divide ${n}`);
    return n / widthDivisor;
  };
  const conv = (name: string, inChannels: number, outChannels: number, kh: number, kw: number, stride: 1 | 2 = 1,
    padded = false): ConvSpec => ({ name, inChannels, outChannels, kernel: { h: kh, w: kw }, stride, padding: padded ? 'same' : 'valid' });

  const stem = [
    conv('Conv2d_1a_3x3', 3, w(32), 3, 3, 2),
    conv('Conv2d_2a_3x3', w(32), w(32), 3, 3),
    conv('Conv2d_2b_3x3', w(32), w(64), 3, 3, 1, true),
    conv('Conv2d_3b_1x1', w(64), w(80), 1, 1),
    conv('Conv2d_4a_3x3', w(80), w(192), 3, 3),
  ];
  const a = (name: string, cin: number, poolFeatures: number): MixedBlock => ({
    kind: 'A', name, convs: {
      branch1x1: conv(`${name}.branch1x1`, cin, w(64), 1, 1),
      branch5x5_1: conv(`${name}.branch5x5_1`, cin, w(48), 1, 1),
      branch5x5_2: conv(`${name}.branch5x5_2`, w(48), w(64), 5, 5, 1, true),
      branch3x3dbl_1: conv(`${name}.branch3x3dbl_1`, cin, w(64), 1, 1),
      branch3x3dbl_2: conv(`${name}.branch3x3dbl_2`, w(64), w(96), 3, 3, 1, true),
      branch3x3dbl_3: conv(`${name}.branch3x3dbl_3`, w(96), w(96), 3, 3, 1, true),
      branch_pool: conv(`${name}.branch_pool`, cin, poolFeatures, 1, 1),
    },
  });
  const c = (name: string, cin: number, c7: number): MixedBlock => ({
    kind: 'C', name, convs: {
      branch1x1: conv(`${name}.branch1x1`, cin, w(192), 1, 1),
      branch7x7_1: conv(`${name}.branch7x7_1`, cin, c7, 1, 1),
      branch7x7_2: conv(`${name}.branch7x7_2`, c7, c7, 1, 7, 1, true),
      branch7x7_3: conv(`${name}.branch7x7_3`, c7, w(192), 7, 1, 1, true),
      branch7x7dbl: [
        conv(`${name}.branch7x7dbl_1`, cin, c7, 1, 1),
        conv(`${name}.branch7x7dbl_2`, c7, c7, 7, 1, 1, true),
        conv(`${name}.branch7x7dbl_3`, c7, c7, 1, 7, 1, true),
        conv(`${name}.branch7x7dbl_4`, c7, c7, 7, 1, 1, true),
        conv(`${name}.branch7x7dbl_5`, c7, w(192), 1, 7, 1, true),
      ],
      branch_pool: conv(`${name}.branch_pool`, cin, w(192), 1, 1),
    },
  });
  const e = (name: string, cin: number, pool: PoolBranch): MixedBlock => ({
    kind: 'E', name, pool, convs: {
      branch1x1: conv(`${name}.branch1x1`, cin, w(320), 1, 1),
      branch3x3_1: conv(`${name}.branch3x3_1`, cin, w(384), 1, 1),
      branch3x3_2a: conv(`${name}.branch3x3_2a`, w(384), w(384), 1, 3, 1, true),
      branch3x3_2b: conv(`${name}.branch3x3_2b`, w(384), w(384), 3, 1, 1, true),
      branch3x3dbl_1: conv(`${name}.branch3x3dbl_1`, cin, w(448), 1, 1),
      branch3x3dbl_2: conv(`${name}.branch3x3dbl_2`, w(448), w(384), 3, 3, 1, true),
      branch3x3dbl_3a: conv(`${name}.branch3x3dbl_3a`, w(384), w(384), 1, 3, 1, true),
      branch3x3dbl_3b: conv(`${name}.branch3x3dbl_3b`, w(384), w(384), 3, 1, 1, true),
      branch_pool: conv(`${name}.branch_pool`, cin, w(192), 1, 1),
    },
  });
  const blocks: MixedBlock[] = [
    a('Mixed_5b', w(192), w(32)), // → 256
    a('Mixed_5c', w(256), w(64)), // → 288
    a('Mixed_5d', w(288), w(64)), // → 288
    {
      kind: 'B', name: 'Mixed_6a', convs: { // → 384 + 96 + 288 = 768, 17×17
        branch3x3: conv('Mixed_6a.branch3x3', w(288), w(384), 3, 3, 2),
        branch3x3dbl_1: conv('Mixed_6a.branch3x3dbl_1', w(288), w(64), 1, 1),
        branch3x3dbl_2: conv('Mixed_6a.branch3x3dbl_2', w(64), w(96), 3, 3, 1, true),
        branch3x3dbl_3: conv('Mixed_6a.branch3x3dbl_3', w(96), w(96), 3, 3, 2),
      },
    },
    c('Mixed_6b', w(768), w(128)),
    c('Mixed_6c', w(768), w(160)),
    c('Mixed_6d', w(768), w(160)),
    c('Mixed_6e', w(768), w(192)),
    {
      kind: 'D', name: 'Mixed_7a', convs: { // → 320 + 192 + 768 = 1280, 8×8
        branch3x3_1: conv('Mixed_7a.branch3x3_1', w(768), w(192), 1, 1),
        branch3x3_2: conv('Mixed_7a.branch3x3_2', w(192), w(320), 3, 3, 2),
        branch7x7x3: [
          conv('Mixed_7a.branch7x7x3_1', w(768), w(192), 1, 1),
          conv('Mixed_7a.branch7x7x3_2', w(192), w(192), 1, 7, 1, true),
          conv('Mixed_7a.branch7x7x3_3', w(192), w(192), 7, 1, 1, true),
          conv('Mixed_7a.branch7x7x3_4', w(192), w(192), 3, 3, 2),
        ],
      },
    },
    e('Mixed_7b', w(1280), 'avg-exclude-pad'), // FID E_1 → 2048
    e('Mixed_7c', w(2048), 'max'), // FID E_2 → 2048
  ];
  return { widthDivisor, stem, blocks, featureDim: w(2048) };
}

/** Every BasicConv2d of the architecture, stem first, in forward order. */
export function allConvs(arch: InceptionArchitecture): ConvSpec[] {
  const out: ConvSpec[] = [...arch.stem];
  for (const block of arch.blocks) {
    for (const value of Object.values(block.convs) as (ConvSpec | readonly ConvSpec[])[]) {
      if (Array.isArray(value)) out.push(...(value as readonly ConvSpec[]));
      else out.push(value as ConvSpec);
    }
  }
  return out;
}

/** The five tensors each BasicConv2d owns in a torchvision state dict, with their shapes. */
export function expectedWeightShapes(arch: InceptionArchitecture): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const spec of allConvs(arch)) {
    shapes[`${spec.name}.conv.weight`] = [spec.outChannels, spec.inChannels, spec.kernel.h, spec.kernel.w]; // OIHW
    for (const p of ['weight', 'bias', 'running_mean', 'running_var']) shapes[`${spec.name}.bn.${p}`] = [spec.outChannels];
  }
  return shapes;
}
