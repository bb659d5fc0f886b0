import { mapStage, type SampleMeta, type Stage } from '@vqrae/graph';
import type { RgbImage } from '../image/types.js';
import type { OutputImage } from './image-sinks.js';

/** What `reconstructionImages` reads: the inputs and their decoded images (structurally a reconstruct-stage record). */
export interface DecodedImageBatch {
  readonly metas: readonly SampleMeta[];
  readonly images: readonly RgbImage[];
  /** Decoder output side S_out. */
  readonly outputSize: number;
  /** `[S_out, S_out, 3]` uint8 per sample. */
  readonly decoded: readonly Uint8Array[];
}

/** Original | reconstruction side by side (when the heights agree), else the reconstruction alone. */
export function reconstructionOutputs(batch: DecodedImageBatch, sideBySide: boolean): OutputImage[] {
  const size = batch.outputSize;
  return batch.images.map((image, i) => {
    const decoded = batch.decoded[i]!;
    const { key, shard } = batch.metas[i]!;
    if (!sideBySide || image.height !== size) return { key, shard, width: size, height: size, rgb: decoded };
    const w = image.width + size;
    const rgb = new Uint8Array(size * w * 3); // [S_out, W_in + S_out, 3]
    for (let y = 0; y < size; y++) {
      rgb.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), y * w * 3);
      rgb.set(decoded.subarray(y * size * 3, (y + 1) * size * 3), (y * w + image.width) * 3);
    }
    return { key, shard, width: w, height: size, rgb };
  });
}

/** Stage `images`: a decoded batch → output images for `pngFolderSink`/`pngShardSink` (name overridable). */
export function reconstructionImages<B extends DecodedImageBatch>(options: { readonly sideBySide?: boolean; readonly name?: string } = {}): Stage<B, OutputImage[]> {
  const sideBySide = options.sideBySide ?? false;
  const name = options.name ?? 'images';
  return mapStage(name, (batch: B) => reconstructionOutputs(batch, sideBySide), { describe: sideBySide ? `${name}(side by side)` : name });
}
