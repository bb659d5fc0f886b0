/** The quantizer of a config, by `quantizer.kind` (absent = SimVQ). */
import type { QuantizerConfig } from '../config/types.js';
import type { NearestCodeOptions } from './nearest-code.js';
import type { Quantizer, QuantizerKind } from './quantizer.js';
import { SimVQ } from './simvq.js';
import { VectorQuantizer } from './vq.js';

/** The variant a config selects: its `kind`, or 'simvq' when absent. */
export function quantizerKind(config: QuantizerConfig): QuantizerKind {
  return config.kind ?? 'simvq';
}

/** A quantizer for `config` reading features of width `inputWidth` (owns only caches; parameters live in a store). */
export function createQuantizer(config: QuantizerConfig, inputWidth: number, search: NearestCodeOptions = {}): Quantizer {
  const kind = quantizerKind(config);
  switch (kind) {
    case 'simvq':
      return new SimVQ(config, inputWidth, search);
    case 'vq':
      return new VectorQuantizer(config, inputWidth, search);
    default:
      throw new Error(`createQuantizer: unknown quantizer kind ${JSON.stringify(kind satisfies never)}`);
  }
}
