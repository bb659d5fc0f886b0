/**
 * `vqrae train --init <checkpoint>` (stage 1): a fresh run whose starting weights come from a tokenizer checkpoint of
 * the same preset (fine-tuning; the optimizer, EMA and data position start fresh). SimVQ's frozen codebook C is drawn
 * from the run's seed; the checkpoint's C must be that same table (up to its storage precision), or the run is refused.
 * A plain VQ codebook is learned, so it is taken from the checkpoint like every other weight.
 */
import { f16ToF32, f32ToBf16, f32ToF16, bf16ToF32, SafetensorsFile, sha256File } from '@vqrae/nn';
import { loadCheckpoint, QUANTIZER_KEYS, quantizerKind, type VqraeModel } from '@vqrae/tokenizer';
import { quantizerMismatches } from './quantizer-override.js';

/**
 * `train --init` refused its checkpoint (another preset or another codebook C): a usage mistake, not a failed run
 * (the CLI maps it to exit 2). Thrown before any training.
 */
export class InitRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitRefusedError';
  }
}

/** `values` as the file's storage dtype would hold them (F16/BF16 rounding; F32 unchanged). */
function roundedLike(values: Float32Array, dtype: string): Float32Array {
  if (dtype === 'F16') return f16ToF32(f32ToF16(values));
  if (dtype === 'BF16') return bf16ToF32(f32ToBf16(values));
  return values;
}

/**
 * Copies every weight of `file` into `model` (a freshly built stage-1 model of the run's preset and seed): quant_in,
 * W, b (VQ: the codebook), the decoder, and the encoder as the checkpoint holds it. Refuses (InitRefusedError) another
 * preset, another quantizer kind or codebook shape, or another frozen SimVQ codebook. Returns the metadata recording
 * the start (`vqrae.init`, `vqrae.init_sha256`).
 */
export async function loadInitWeights(model: VqraeModel, file: string, seed: number): Promise<Record<string, string>> {
  const source = await loadCheckpoint(file);
  try {
    if (source.config.preset !== model.config.preset) {
      throw new InitRefusedError(`train --init ${file}: a '${source.config.preset ?? 'custom'}' checkpoint cannot start a '${model.config.preset ?? 'custom'}' run (same preset needed)`);
    }
    const wanted = model.config.quantizer;
    const problems = quantizerMismatches({ kind: quantizerKind(wanted), codebookSize: wanted.codebookSize, codebookDim: wanted.codebookDim }, source.config.quantizer);
    if (problems.length > 0) {
      throw new InitRefusedError(`train --init ${file}: its quantizer has ${problems.join(', ')}; this run's quantizer (preset or flags) differs`);
    }
    if (quantizerKind(wanted) === 'simvq') await checkFrozenCodebook(model, source, file, seed);
    model.params.load(source.params.toNamedTensors(), { strict: true });
  } finally {
    source.dispose();
  }
  return { 'vqrae.init': file, 'vqrae.init_sha256': await sha256File(file) };
}

/** SimVQ: the checkpoint's frozen C must be the table this run's seed draws (compared at the file's storage precision). */
async function checkFrozenCodebook(model: VqraeModel, source: VqraeModel, file: string, seed: number): Promise<void> {
  const key = QUANTIZER_KEYS.codebook;
  const handle = await SafetensorsFile.open(file);
  const dtype = handle.info(key).dtype;
  await handle.close();
  const fresh = roundedLike(model.params.get(key).dataSync() as Float32Array, dtype); // [k, e]
  const stored = source.params.get(key).dataSync() as Float32Array; // [k, e]
  const first = fresh.findIndex((v, i) => v !== stored[i]);
  if (first >= 0) {
    throw new InitRefusedError(
      `train --init ${file}: its codebook C differs from this run's (seed ${seed}; first difference at element ${first}: ${stored[first]} vs ${fresh[first]}). ` +
        'C is frozen and drawn from the seed: pass the --seed the checkpoint was trained with',
    );
  }
}
