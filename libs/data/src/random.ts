/**
 * Deterministic pseudo-random numbers for shuffling and random crops. Library code never calls Math.random: every
 * random decision derives from a user seed plus named parts (epoch, rank, worker, sample key), so a run is
 * reproducible and independent of scheduling (a crop depends on the sample's key, not on arrival order).
 */

/** A seeded generator of uniform numbers. */
export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number;
}

/** Hashes a seed and any parts (numbers or strings) into one 32-bit unsigned integer (FNV-1a, then avalanche). */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.map((p) => (typeof p === 'number' ? `n${p}` : `s${p}`)).join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3 finaliser: spreads nearby inputs (epoch 1 vs 2) over the whole range
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Creates an sfc32 generator whose state derives from `hashSeed(...parts)`. */
export function createRng(...parts: readonly (string | number)[]): Rng {
  let a = hashSeed(...parts, 'a');
  let b = hashSeed(...parts, 'b');
  let c = hashSeed(...parts, 'c');
  let d = 1;
  const next32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32(); // discard the warm-up outputs
  const next = (): number => next32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    uniform: (low, high) => low + (high - low) * next(),
  };
}

/** Fisher–Yates shuffle of `items` in place; returns the same array. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
