/**
 * FID-Inception weights as host arrays for an ONNX graph: the same strict key check and the same float64 BatchNorm
 * fold as the tfjs loader (`foldBatchNorm` of `@vqrae/eval`), so both engines run bit-identical float32 weights; only
 * the layout differs (ONNX Conv wants OIHW, tfjs HWIO).
 */
import { allConvs, checkFidInceptionKeys, foldBatchNorm, type InceptionArchitecture } from '@vqrae/eval';
import { SafetensorsFile, sha256File } from '@vqrae/nn';

/** One BasicConv2d with BN folded: OIHW filter and per-output-channel bias. */
export interface FoldedConvArrays {
  readonly weight: Float32Array; // [out, in, kh, kw]
  readonly bias: Float32Array; // [out]
  readonly shape: readonly [number, number, number, number];
}

/** Folded convs by torchvision module name, plus the file's sha256 (FID provenance). */
export interface InceptionWeightArrays {
  readonly convs: ReadonlyMap<string, FoldedConvArrays>;
  readonly sha256: string;
}

/** HWIO `[kh, kw, in, out]` → OIHW `[out, in, kh, kw]` (a pure permutation: values unchanged). */
export function hwioToOihw(filter: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(filter.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        const src = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = filter[src + o]!;
      }
    }
  }
  return out;
}

/**
 * Reads a converted FID-Inception safetensors file (torchvision key names; `fc.*` and `num_batches_tracked`
 * ignored), checks names and shapes against `arch` and folds every BatchNorm into its conv.
 */
export async function loadInceptionWeightArrays(path: string, arch: InceptionArchitecture): Promise<InceptionWeightArrays> {
  const [file, sha256] = await Promise.all([SafetensorsFile.open(path), sha256File(path)]);
  try {
    checkFidInceptionKeys(arch, file.shapes(), path);
    const convs = new Map<string, FoldedConvArrays>();
    for (const spec of allConvs(arch)) {
      const read = (suffix: string): Promise<Float32Array> => file.readFloat32(`${spec.name}.${suffix}`);
      const [weight, gamma, beta, mean, variance] = await Promise.all([
        read('conv.weight'), read('bn.weight'), read('bn.bias'), read('bn.running_mean'), read('bn.running_var'),
      ]);
      const { outChannels: out, inChannels: cin, kernel } = spec;
      const folded = foldBatchNorm(weight, { out, in: cin, kh: kernel.h, kw: kernel.w }, { gamma, beta, mean, variance });
      convs.set(spec.name, {
        weight: hwioToOihw(folded.filter, kernel.h, kernel.w, cin, out),
        bias: folded.bias,
        shape: [out, cin, kernel.h, kernel.w],
      });
    }
    return { convs, sha256 };
  } finally {
    await file.close();
  }
}
