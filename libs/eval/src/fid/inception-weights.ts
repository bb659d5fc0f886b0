import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile } from '@vqrae/nn';
import { allConvs, expectedWeightShapes, type InceptionArchitecture } from './inception-architecture.js';

/** BatchNorm epsilon of every BasicConv2d in the TF-ported FID-Inception (model-spec.md §8.5.1). */
export const FID_INCEPTION_BN_EPS = 0.001;

/** A BasicConv2d with its BatchNorm folded in: HWIO filter and per-output-channel bias, both float32. */
export interface FoldedConv {
  readonly filter: tf.Tensor4D; // [kh, kw, in, out]
  readonly bias: tf.Tensor1D; // [out]
}

/** Keys a torchvision Inception3 state dict may carry that the feature network does not use. */
function isIgnorableKey(key: string): boolean {
  return key === 'fc.weight' || key === 'fc.bias' || key.endsWith('.num_batches_tracked');
}

/**
 * Strictly checks a file's tensor names and shapes against the architecture: one error listing every missing,
 * unexpected and mismatched key (`fc.*` and `*.num_batches_tracked` are allowed and ignored).
 */
export function checkFidInceptionKeys(arch: InceptionArchitecture, actual: Record<string, number[]>, source: string): void {
  const expected = expectedWeightShapes(arch);
  const missing = Object.keys(expected).filter((k) => !(k in actual));
  const unexpected = Object.keys(actual).filter((k) => !(k in expected) && !isIgnorableKey(k));
  const mismatched = Object.keys(expected)
    .filter((k) => k in actual && actual[k]!.join('x') !== expected[k]!.join('x'))
    .map((k) => `${k}: expected [${expected[k]!.join(', ')}], got [${actual[k]!.join(', ')}]`);
  if (missing.length + unexpected.length + mismatched.length === 0) return;
  const part = (label: string, list: string[]): string =>
    list.length ? `\n  ${label} (${list.length}): ${list.slice(0, 8).join('; ')}${list.length > 8 ? '; …' : ''}` : '';
  throw new Error(
    `loadFidInceptionWeights: '${source}' does not match FID-Inception-v3 (widthDivisor ${arch.widthDivisor}, torchvision key names)` +
      part('missing', missing) + part('unexpected', unexpected) + part('shape mismatch', mismatched),
  );
}

/**
 * Folds eval-mode BatchNorm into the preceding bias-free conv, in float64:
 * s = γ/√(var + ε); filter[kh, kw, i, o] = W[o, i, kh, kw]·s[o]; bias[o] = β[o] − mean[o]·s[o].
 * Returns plain arrays (HWIO filter, bias) so the caller decides when tensors are created.
 */
export function foldBatchNorm(
  weight: Float32Array, // OIHW
  shape: { out: number; in: number; kh: number; kw: number },
  bn: { gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array },
  eps = FID_INCEPTION_BN_EPS,
): { filter: Float32Array; bias: Float32Array } {
  const { out, in: cin, kh, kw } = shape;
  const filter = new Float32Array(weight.length);
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const scale = bn.gamma[o]! / Math.sqrt(bn.variance[o]! + eps);
    bias[o] = bn.beta[o]! - bn.mean[o]! * scale;
    for (let i = 0; i < cin; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          filter[((y * kw + x) * cin + i) * out + o] = weight[((o * cin + i) * kh + y) * kw + x]! * scale;
        }
      }
    }
  }
  return { filter, bias };
}

/**
 * Loads a user-supplied FID-Inception safetensors file (torchvision key names, see
 * tools/convert/fid_inception_to_safetensors.py), strict-checks it and returns the BN-folded convs by module name.
 * The caller owns the returned tensors (dispose them with {@link disposeFoldedConvs}).
 */
export async function loadFidInceptionWeights(path: string, arch: InceptionArchitecture): Promise<Map<string, FoldedConv>> {
  const file = await SafetensorsFile.open(path);
  try {
    checkFidInceptionKeys(arch, file.shapes(), path);
    const folded = new Map<string, FoldedConv>();
    try {
      for (const spec of allConvs(arch)) {
        const read = (suffix: string): Promise<Float32Array> => file.readFloat32(`${spec.name}.${suffix}`, { requireFinite: true, requireFloat: true });
        const [weight, gamma, beta, mean, variance] = await Promise.all([
          read('conv.weight'), read('bn.weight'), read('bn.bias'), read('bn.running_mean'), read('bn.running_var'),
        ]);
        const shape = { out: spec.outChannels, in: spec.inChannels, kh: spec.kernel.h, kw: spec.kernel.w };
        const { filter, bias } = foldBatchNorm(weight, shape, { gamma, beta, mean, variance });
        folded.set(spec.name, {
          filter: tf.tensor4d(filter, [shape.kh, shape.kw, shape.in, shape.out]),
          bias: tf.tensor1d(bias),
        });
      }
    } catch (error) {
      disposeFoldedConvs(folded);
      throw error;
    }
    return folded;
  } finally {
    await file.close();
  }
}

/** Disposes every tensor of a folded-conv map. */
export function disposeFoldedConvs(convs: Map<string, FoldedConv>): void {
  for (const { filter, bias } of convs.values()) {
    filter.dispose();
    bias.dispose();
  }
  convs.clear();
}
