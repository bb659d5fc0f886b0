/**
 * FID-Inception-v3 (model-spec.md §8.5.1) as an ONNX graph, built from the same architecture table as the tfjs
 * network (`fidInceptionArchitecture` of `@vqrae/eval`) and the same BN-folded weights, with one input variant's
 * resize and normalisation in front (§8.5.2).
 *
 * Graph inputs:
 *   `images`        float32 [batch, height, width, 3], on the variant's input scale (see `fidInputScale`):
 *                   0..255 for torch-fidelity and clean, 0..1 for pytorch-fid;
 *   `resize_rows`   float32 [299, height]  interpolation matrix of the rows   (`fidResizeMatrix`);
 *   `resize_cols_t` float32 [width, 299]   transposed matrix of the columns.
 * Output: `features` float32 [batch, featureDim], the pool3 features.
 * The matrices are inputs, not weights, so one session serves every image size (the host caches them per size).
 * Layout: NCHW after the first Transpose (ONNX Conv's layout); convs carry their folded bias and a Relu.
 */
import {
  FID_INCEPTION_INPUT_SIZE,
  type ConvSpec,
  type FidInputVariant,
  type InceptionArchitecture,
  type MixedBlock,
  type PoolBranch,
} from '@vqrae/eval';
import { ints, int } from '../builder/attributes.js';
import { OnnxGraphBuilder } from '../builder/graph-builder.js';
import type { FoldedConvArrays } from './inception-weights.js';

/** Names of the graph's inputs and output. */
export const INCEPTION_GRAPH_IO = {
  images: 'images',
  resizeRows: 'resize_rows',
  resizeColsT: 'resize_cols_t',
  features: 'features',
} as const;

type Convs = ReadonlyMap<string, FoldedConvArrays>;

/** Adds the ops of one FID-Inception forward pass to a graph builder. */
class InceptionOps {
  constructor(
    private readonly g: OnnxGraphBuilder,
    private readonly convs: Convs,
  ) {}

  /** BasicConv2d with BN folded: Conv (+ bias) → Relu. 'same' (stride 1, odd kernels) pads (k − 1)/2 per side. */
  conv(x: string, spec: ConvSpec): string {
    const folded = this.convs.get(spec.name);
    if (!folded) throw new Error(`inceptionGraph: no weights for '${spec.name}'`);
    const weight = this.g.weight(`${spec.name}.weight`, folded.weight, folded.shape); // [out, in, kh, kw]
    const bias = this.g.weight(`${spec.name}.bias`, folded.bias, [spec.outChannels]);
    const [ph, pw] = spec.padding === 'same' ? [(spec.kernel.h - 1) / 2, (spec.kernel.w - 1) / 2] : [0, 0];
    const conv = this.g.node('Conv', [x, weight, bias], {
      kernel_shape: ints([spec.kernel.h, spec.kernel.w]),
      strides: ints([spec.stride, spec.stride]),
      pads: ints([ph, pw, ph, pw]),
    });
    return this.g.node('Relu', [conv]);
  }

  chain(x: string, specs: readonly ConvSpec[]): string {
    return specs.reduce((h, spec) => this.conv(h, spec), x);
  }

  /** 3×3 stride-2 max pool without padding (stem, Mixed_6a, Mixed_7a). */
  maxPoolStride2(x: string): string {
    return this.g.node('MaxPool', [x], { kernel_shape: ints([3, 3]), strides: ints([2, 2]) });
  }

  /** 3×3 stride-1 pool with padding 1: average over in-bounds taps only (count_include_pad = 0), or max. */
  poolBranch(x: string, kind: PoolBranch): string {
    const attrs = { kernel_shape: ints([3, 3]), strides: ints([1, 1]), pads: ints([1, 1, 1, 1]) };
    return kind === 'max' ? this.g.node('MaxPool', [x], attrs) : this.g.node('AveragePool', [x], { ...attrs, count_include_pad: int(0) });
  }

  concat(parts: readonly string[]): string {
    return this.g.node('Concat', parts, { axis: int(1) }); // channels of NCHW
  }

  block(x: string, block: MixedBlock): string {
    switch (block.kind) {
      case 'A': {
        const c = block.convs;
        return this.concat([
          this.conv(x, c.branch1x1),
          this.chain(x, [c.branch5x5_1, c.branch5x5_2]),
          this.chain(x, [c.branch3x3dbl_1, c.branch3x3dbl_2, c.branch3x3dbl_3]),
          this.conv(this.poolBranch(x, 'avg-exclude-pad'), c.branch_pool),
        ]); // [B, 224 + pool, 35, 35]
      }
      case 'B': {
        const c = block.convs;
        return this.concat([
          this.conv(x, c.branch3x3),
          this.chain(x, [c.branch3x3dbl_1, c.branch3x3dbl_2, c.branch3x3dbl_3]),
          this.maxPoolStride2(x),
        ]); // [B, 768, 17, 17]
      }
      case 'C': {
        const c = block.convs;
        return this.concat([
          this.conv(x, c.branch1x1),
          this.chain(x, [c.branch7x7_1, c.branch7x7_2, c.branch7x7_3]),
          this.chain(x, c.branch7x7dbl),
          this.conv(this.poolBranch(x, 'avg-exclude-pad'), c.branch_pool),
        ]); // [B, 768, 17, 17]
      }
      case 'D': {
        const c = block.convs;
        return this.concat([
          this.chain(x, [c.branch3x3_1, c.branch3x3_2]),
          this.chain(x, c.branch7x7x3),
          this.maxPoolStride2(x),
        ]); // [B, 1280, 8, 8]
      }
      case 'E': {
        const c = block.convs;
        const t = this.conv(x, c.branch3x3_1);
        const d = this.chain(x, [c.branch3x3dbl_1, c.branch3x3dbl_2]);
        return this.concat([
          this.conv(x, c.branch1x1),
          this.conv(t, c.branch3x3_2a),
          this.conv(t, c.branch3x3_2b),
          this.conv(d, c.branch3x3dbl_3a),
          this.conv(d, c.branch3x3dbl_3b),
          this.conv(this.poolBranch(x, block.pool), c.branch_pool),
        ]); // [B, 2048, 8, 8]
      }
    }
  }
}

/** Resize (two MatMuls) and the variant's normalisation: [B, H, W, 3] → network input [B, 3, 299, 299]. */
function preprocess(g: OnnxGraphBuilder, variant: FidInputVariant): string {
  const { images, resizeRows, resizeColsT } = INCEPTION_GRAPH_IO;
  const size = FID_INCEPTION_INPUT_SIZE;
  const x = g.input(images, 'float32', ['batch', 'height', 'width', 3]);
  const rows = g.input(resizeRows, 'float32', [size, 'height']);
  const colsT = g.input(resizeColsT, 'float32', ['width', size]);
  const nchw = g.node('Transpose', [x], { perm: ints([0, 3, 1, 2]) }); // [B, 3, H, W]
  const resizedCols = g.node('MatMul', [nchw, colsT]); // [B, 3, H, 299] (columns first, as Pillow does)
  const resized = g.node('MatMul', [rows, resizedCols]); // [299, H] · [B, 3, H, 299] → [B, 3, 299, 299]
  const c = (value: number): string => g.floatConstant([value]);
  switch (variant) {
    case 'torch-fidelity':
      return g.node('Div', [g.node('Sub', [resized, c(128)]), c(128)]); // (x − 128)/128
    case 'pytorch-fid':
      return g.node('Sub', [g.node('Mul', [resized, c(2)]), c(1)]); // 2x − 1
    case 'clean': {
      const clipped = g.node('Clip', [resized, g.floatConstant([0]), g.floatConstant([255])]); // scalars: min, max
      return g.node('Div', [g.node('Sub', [clipped, c(128)]), c(128)]);
    }
  }
}

/**
 * Builds the FID-Inception graph of `variant` (float32 throughout) into a new builder; serialize it with
 * `buildModel`. `convs` are the folded weights of `arch` (see `loadInceptionWeightArrays`).
 */
export function inceptionGraph(arch: InceptionArchitecture, convs: Convs, variant: FidInputVariant): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder(`fid_inception_v3_${variant}`);
  const ops = new InceptionOps(g, convs);
  const [c1a, c2a, c2b, c3b, c4a] = arch.stem as [ConvSpec, ConvSpec, ConvSpec, ConvSpec, ConvSpec];
  let h = ops.maxPoolStride2(ops.chain(preprocess(g, variant), [c1a, c2a, c2b])); // [B, 64, 147, 147] → [B, 64, 73, 73]
  h = ops.maxPoolStride2(ops.chain(h, [c3b, c4a])); // [B, 192, 71, 71] → [B, 192, 35, 35]
  for (const block of arch.blocks) h = ops.block(h, block);
  const pooled = g.node('GlobalAveragePool', [h]); // [B, featureDim, 1, 1]
  const features = g.node('Flatten', [pooled], { axis: int(1) }); // [B, featureDim]
  g.output(INCEPTION_GRAPH_IO.features, features, 'float32', ['batch', arch.featureDim]);
  return g;
}
