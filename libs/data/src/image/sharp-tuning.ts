import sharp from 'sharp';

/**
 * Process-wide sharp/libvips settings for decoding a stream of distinct images. Both are global to the process
 * (sharp has no per-call equivalent); `loadImage` applies them once before its first decode unless told not to.
 */
export interface SharpStreamingTuning {
  /**
   * Keep libvips' operation cache (sharp default: on, 50 MB / 100 operations). It only pays off when the same
   * operation runs again on the same input, which a data loader never does, and the results it holds keep ~0.5 MB
   * per image alive: measured here 3.9 → 5.1 ms CPU per 500×375 JPEG decoded and cropped with it on. Default false.
   */
  readonly operationCache?: boolean;
  /**
   * Size of one block allocated and freed through libvips at start-up (default 30 MB; 0 = skip). With glibc, a
   * freed block obtained by `mmap` raises malloc's dynamic mmap threshold to its size (and the heap trim threshold
   * to twice that; mallopt(3), "M_MMAP_THRESHOLD"), so later image buffers up to that size are served from
   * already-mapped heap memory instead of fresh `mmap`s (page faults measured on this VM: 60–90 per 500×375 full
   * decode, ~20 per 256 crop, at ~10–20 µs each). The same effect as `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=…`
   * without an environment variable; no effect (and no harm) with other allocators or when the threshold was set
   * explicitly. Heap memory freed by image work is then kept by the process (up to twice this size per malloc
   * arena) rather than returned to the OS. Costs ~0.2–0.5 s once.
   */
  readonly mallocWarmupBytes?: number;
}

/** glibc stops adjusting the threshold above 32 MiB (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit). */
const MAX_DYNAMIC_THRESHOLD = 32 * 1024 * 1024;
const DEFAULT_WARMUP_BYTES = 30_000_000;

let applied: Promise<void> | undefined;

/**
 * Applies `tuning` once per process (later calls return the first call's promise). Never throws: a failed
 * warm-up only costs speed.
 */
export function tuneSharpForStreaming(tuning: SharpStreamingTuning = {}): Promise<void> {
  applied ??= apply(tuning);
  return applied;
}

async function apply(tuning: SharpStreamingTuning): Promise<void> {
  if (!(tuning.operationCache ?? false)) sharp.cache(false);
  const bytes = Math.min(tuning.mallocWarmupBytes ?? DEFAULT_WARMUP_BYTES, MAX_DYNAMIC_THRESHOLD - 65_536);
  if (bytes < 3000) return;
  // libvips mallocs the `bytes`-sized raw output (an mmap at this size); `toUint8Array` copies it into a
  // JavaScript-owned array and frees libvips' block at once, which is what raises the threshold. (A block freed
  // later by the garbage collector has the effect only whenever that happens; a 1-pixel output none at all.)
  const width = 1000;
  const height = Math.floor(bytes / (3 * width));
  try {
    await sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 0 } } }).raw().toUint8Array();
  } catch {
    // best effort
  }
}
