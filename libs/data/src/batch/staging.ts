import * as tf from '@tensorflow/tfjs-core';

/** Value range of batch tensors: `pixel01` = uint8/255 (datasets, PSNR/SSIM); `pm1` = 2·pixel01 − 1 (SigLIP, LPIPS). */
export type PixelRange = 'pixel01' | 'pm1';

const lookupTables: Record<PixelRange, Float32Array> = {
  pixel01: Float32Array.from({ length: 256 }, (_, v) => v / 255),
  pm1: Float32Array.from({ length: 256 }, (_, v) => (2 * v) / 255 - 1),
};

/** Writes `data` (uint8) converted to `range` into `target` from `offset` on (4-way unrolled: ~2× the plain loop). */
export function writePixels(target: Float32Array, offset: number, data: Uint8Array, range: PixelRange): void {
  const table = lookupTables[range];
  const n = data.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const j = offset + i;
    target[j] = table[data[i] as number] as number;
    target[j + 1] = table[data[i + 1] as number] as number;
    target[j + 2] = table[data[i + 2] as number] as number;
    target[j + 3] = table[data[i + 3] as number] as number;
  }
  for (; i < n; i++) target[offset + i] = table[data[i] as number] as number;
}

const copiesOnWrite = new Map<string, boolean>();

/**
 * True when the active tfjs backend copies a TypedArray into its own storage when a tensor is made from it (the
 * wasm backend copies into its heap at once), so the array may be overwritten right after. Probed once per backend
 * with a 1-element tensor: the cpu backend (and webgl/tensorflow before first use) keep the caller's array, and
 * `dataSync()` then returns that very array, so it must never be reused there.
 */
export function backendCopiesOnWrite(): boolean {
  const name = tf.getBackend();
  let copies = copiesOnWrite.get(name);
  if (copies === undefined) {
    const probe = new Float32Array([1]);
    const tensor = tf.tensor1d(probe, 'float32');
    probe[0] = 2;
    copies = tensor.dataSync()[0] === 1;
    tensor.dispose();
    copiesOnWrite.set(name, copies);
  }
  return copies;
}

/**
 * Float32 staging area for one batch of equally sized images: each image is converted into its slot as it
 * arrives, and `take` turns the filled part into a `[count, H, W, 3]` tensor (the caller owns it). When the
 * backend copies on write the same array serves every batch; otherwise the tensor keeps it and the next batch
 * gets a fresh one (allocated lazily).
 */
export class BatchStaging {
  private values: Float32Array | undefined;
  private pixels = 0;

  constructor(
    private readonly capacity: number,
    private readonly range: PixelRange,
  ) {}

  /** Converts `data` (an image of `pixels` = H·W·3 values) into slot `slot`; all slots of a batch share one size. */
  write(slot: number, data: Uint8Array): void {
    if (this.values === undefined || this.pixels !== data.length) {
      this.pixels = data.length;
      this.values = new Float32Array(this.capacity * data.length);
    }
    writePixels(this.values, slot * data.length, data, this.range);
  }

  /** The first `count` slots as a tensor of shape [count, height, width, 3]. */
  take(count: number, height: number, width: number): tf.Tensor4D {
    const values = this.values;
    if (values === undefined || count * this.pixels > values.length || height * width * 3 !== this.pixels) {
      throw new Error(`batch staging: ${count} images of ${width}×${height} do not match the staged data`);
    }
    const used = count === this.capacity ? values : values.subarray(0, count * this.pixels);
    const tensor = tf.tensor4d(used, [count, height, width, 3], 'float32'); // [B, H, W, 3]
    if (!backendCopiesOnWrite()) this.values = undefined; // the tensor now owns the array
    return tensor;
  }
}
