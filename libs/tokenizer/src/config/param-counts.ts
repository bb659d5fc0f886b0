/** Parameter counts of a config computed from shapes alone (no tensors allocated; works for the 800 M preset). */
import { VitDecoder } from '../decoder/vit-decoder.js';
import { encoderFor } from '../encoders/encoder-factory.js';
import { createQuantizer } from '../quantizer/quantizer-factory.js';
import type { VqraeConfig } from './types.js';

/** Element counts per component. */
export interface ParamCounts {
  readonly encoder: number;
  /** Trainable quantizer parameters (both stages): quant_in + W, b (SimVQ) or quant_in + the learned codebook (VQ). */
  readonly quantizerTrainable: number;
  /** Frozen codebook C (SimVQ); 0 for VQ, whose codebook is learned and counted in `quantizerTrainable`. */
  readonly codebook: number;
  /** Decoder without its fixed sin-cos table. */
  readonly decoder: number;
  /** Fixed (non-parameter) decoder position table. */
  readonly decoderPositionTable: number;
  readonly total: number;
}

function sum(shapes: Record<string, number[]>, keep: (name: string) => boolean): number {
  let total = 0;
  for (const [name, shape] of Object.entries(shapes)) if (keep(name)) total += shape.reduce((a, b) => a * b, 1);
  return total;
}

/** Counts of every component of `config`. */
export function countParams(config: VqraeConfig): ParamCounts {
  const encoder = encoderFor(config.encoder);
  const quantizerModule = createQuantizer(config.quantizer, encoder.geometry.width);
  const frozen = new Set(quantizerModule.frozenParamNames());
  const quantizerShapes = quantizerModule.paramShapes();
  const quantizer = sum(quantizerShapes, () => true);
  const codebook = sum(quantizerShapes, (name) => frozen.has(name));
  const decoder = new VitDecoder(config.decoder, config.quantizer.codebookDim, encoder.geometry);
  const decoderShapes = decoder.paramShapes();
  const table = sum(decoderShapes, (name) => name.endsWith('decoder_pos_embed'));
  const counts = {
    encoder: sum(encoder.paramShapes(), () => true),
    quantizerTrainable: quantizer - codebook,
    codebook,
    decoder: sum(decoderShapes, () => true) - table,
    decoderPositionTable: table,
  };
  return { ...counts, total: counts.encoder + counts.quantizerTrainable + counts.codebook + counts.decoder };
}
