/**
 * Seeded synthetic FID-Inception weights with the real torchvision key names and shapes (any width divisor), written
 * as safetensors: He-normal convs and BatchNorm statistics drawn away from the identity, so a BN fold that mixed up
 * gamma/beta/mean/variance would show. For tests at widths that have no committed fixture.
 */
import { expectedWeightShapes, fidInceptionArchitecture } from '@vqrae/eval';
import { writeSafetensors, type RawTensor } from '@vqrae/nn';

/** Seeded uniform [0, 1) and standard normal draws (LCG + Box–Muller; no Math.random). */
function seededDraws(seed: number): { uniform: () => number; normal: () => number } {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** Writes the weights of `fidInceptionArchitecture(widthDivisor)` to `path`. */
export async function writeSyntheticInceptionWeights(path: string, widthDivisor: number, seed: number): Promise<void> {
  const { uniform, normal } = seededDraws(seed);
  const tensors: Record<string, RawTensor> = {};
  const fill = (n: number, draw: () => number): Float32Array => Float32Array.from({ length: n }, draw);
  for (const [key, shape] of Object.entries(expectedWeightShapes(fidInceptionArchitecture(widthDivisor)))) {
    const n = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (key.endsWith('.conv.weight')) {
      const std = Math.sqrt(2 / (shape[1]! * shape[2]! * shape[3]!)); // He normal on fan-in (OIHW)
      data = fill(n, () => normal() * std);
    } else if (key.endsWith('.bn.weight')) data = fill(n, () => 0.6 + 0.8 * uniform());
    else if (key.endsWith('.bn.bias')) data = fill(n, () => 0.1 * normal());
    else if (key.endsWith('.bn.running_mean')) data = fill(n, () => 0.2 * normal());
    else data = fill(n, () => 0.5 + uniform()); // running_var
    tensors[key] = { data, shape, dtype: 'F32' };
  }
  await writeSafetensors(path, tensors);
}
