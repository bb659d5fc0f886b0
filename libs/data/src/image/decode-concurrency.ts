import os from 'node:os';

/** How many images a decode stage keeps in flight and how many libvips threads each may use. */
export interface DecodeConcurrency {
  /** Images decoded at once (each one occupies a libuv pool thread while libvips works on it). */
  readonly inFlight: number;
  /** libvips worker threads per image (`sharp.concurrency`, process-wide). */
  readonly vipsThreads: number;
}

/** What the choice depends on; every field has a default read from the process. */
export interface DecodeConcurrencyInput {
  /** Source pixels of a typical image (width × height; e.g. from the first image's header). */
  readonly sourcePixels: number;
  /** Cores this process may use (default `os.availableParallelism()`). */
  readonly cores?: number;
  /** libuv pool size (default `UV_THREADPOOL_SIZE`, else 4): more in flight than this only queue. */
  readonly threadpool?: number;
  /**
   * Bytes of decoded images allowed in flight (default 512 MiB): a full decode holds `3 × sourcePixels` bytes,
   * so very large images are decoded fewer at a time.
   */
  readonly memoryBudgetBytes?: number;
}

const DEFAULT_THREADPOOL = 4;
const DEFAULT_MEMORY_BUDGET = 512 * 1024 * 1024;

/** The libuv pool size this process runs with. */
export function libuvThreadpoolSize(): number {
  const parsed = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isSafeInteger(parsed) && parsed > 0 ? parsed : DEFAULT_THREADPOOL;
}

/**
 * Decode concurrency from the cores and the image size. A JPEG's entropy decoding is sequential in libjpeg, so
 * extra libvips threads per image mostly wait; whole images in parallel use the cores instead. Hence: one libvips
 * thread per image and two images in flight per core (one decoding while the other's result crosses into
 * JavaScript), so in-flight × threads = 2 × cores: enough to keep the cores busy, never the 4 × cores of sharp's
 * defaults (4 in flight × one thread per core). Bounded by the libuv pool (more would only queue) and by the memory
 * budget for very large images.
 */
export function chooseDecodeConcurrency(input: DecodeConcurrencyInput): DecodeConcurrency {
  const cores = Math.max(1, input.cores ?? os.availableParallelism());
  const threadpool = Math.max(1, input.threadpool ?? libuvThreadpoolSize());
  const perImage = Math.max(1, 3 * input.sourcePixels);
  const byMemory = Math.max(1, Math.floor((input.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET) / perImage));
  const inFlight = Math.max(1, Math.min(2 * cores, threadpool, byMemory));
  return { inFlight, vipsThreads: 1 };
}
