import type { ErrorPolicy, GraphBuilder } from '@vqrae/graph';
import type { ShardSample } from '../sample.js';
import type { DecodeMode } from './load-image.js';
import { cropImages, decodeImages, type ImageSample } from './stages.js';
import type { CropSpec } from './types.js';

/** Configuration of {@link decodeCropped}. */
export interface DecodeCroppedConfig {
  readonly crop: CropSpec;
  /** `exact` (default): decode in full, then crop (the reference protocol); `fast`: the crop happens inside the decoder. */
  readonly decodeMode?: DecodeMode;
  readonly onError?: ErrorPolicy;
  /** Images decoded at once (default `auto`, see `decodeImages`). */
  readonly concurrency?: number | 'auto';
  /** Images cropped at once in `exact` mode (default 4). */
  readonly cropConcurrency?: number;
}

/**
 * Appends decode → crop in the chosen decode mode: `fast` is one `decodeImages` stage that crops while decoding
 * (shrink-on-load, see `FAST_DECODE_CONTRACT`); `exact` decodes in full and then runs `cropImages`.
 */
export function decodeCropped(source: GraphBuilder<ShardSample>, c: DecodeCroppedConfig): GraphBuilder<ImageSample> {
  const onError = c.onError ?? 'throw';
  const concurrency = c.concurrency ?? 'auto';
  if (c.decodeMode === 'fast') return source.pipe(decodeImages({ onError, concurrency, crop: c.crop, decodeMode: 'fast' }));
  return source.pipe(decodeImages({ onError, concurrency })).pipe(cropImages<ImageSample>({ crop: c.crop, onError, concurrency: c.cropConcurrency ?? 4 }));
}
