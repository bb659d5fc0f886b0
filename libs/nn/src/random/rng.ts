/**
 * Seeded, serialisable pseudo-random generator (xoshiro128** seeded through splitmix32).
 * Library code never uses Math.random: every random draw goes through an Rng so runs are reproducible and resumable.
 */

/** JSON-able generator state (for checkpoint resume). */
export interface RngState {
  readonly kind: 'xoshiro128**';
  /** Four unsigned 32-bit state words. */
  readonly words: readonly [number, number, number, number];
  /** Second Box–Muller normal waiting to be returned, or null. */
  readonly spareNormal: number | null;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** splitmix32 step: returns [next state, output] mixing a 32-bit state. */
function splitmix32(state: number): { state: number; out: number } {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return { state: next, out: (z ^ (z >>> 16)) >>> 0 };
}

/** FNV-1a hash of a string (32 bit), used to derive labelled child streams. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Expands a 32-bit seed mix into four non-zero state words. */
function expandSeed(seedLo: number, seedHi: number): [number, number, number, number] {
  let s = (seedLo ^ Math.imul(seedHi, 0x27d4eb2d)) >>> 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = splitmix32(s);
    s = r.state;
    words.push(r.out);
  }
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
  return [words[0], words[1], words[2], words[3]];
}

/**
 * Seeded generator. `uniform()` has 53 random bits; `normal()` uses Box–Muller (the second value is cached and part of
 * the serialised state). `fork(label)` derives an independent child stream from the current state and the label
 * WITHOUT advancing this generator, so children are stable no matter in which order they are created.
 */
export class Rng {
  private words: [number, number, number, number];
  private spare: number | null = null;

  /** @param seed any finite integer (values beyond 2^32 use their high bits too). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    const integer = Math.trunc(Math.abs(seed));
    const lo = integer % TWO_POW_32 >>> 0;
    const hi = Math.floor(integer / TWO_POW_32) % TWO_POW_32 >>> 0;
    this.words = expandSeed(lo, (hi ^ (seed < 0 ? 0xffffffff : 0)) >>> 0);
  }

  /** Next raw unsigned 32-bit output (xoshiro128**). */
  nextUint32(): number {
    const s = this.words;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /** Standard normal N(0, 1) via Box–Muller. */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Unbiased integer in [0, n) for 1 <= n <= 2^32 (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** In-place Fisher–Yates shuffle; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** Independent child stream for `label`; does not advance this generator. */
  fork(label: string): Rng {
    const child = new Rng(0);
    const h = fnv1a(label);
    let mix = h;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = splitmix32((mix ^ this.words[i] ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
      mix = r.out;
      words.push(r.out);
    }
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
    child.words = [words[0], words[1], words[2], words[3]];
    return child;
  }

  /** Serialisable copy of the state. */
  getState(): RngState {
    return { kind: 'xoshiro128**', words: [...this.words], spareNormal: this.spare };
  }

  /** Restores a generator from `getState()` output. */
  static fromState(state: RngState): Rng {
    if (state.kind !== 'xoshiro128**' || state.words.length !== 4) throw new Error(`Rng.fromState: unsupported state ${JSON.stringify(state)}`);
    const rng = new Rng(0);
    rng.words = [state.words[0] >>> 0, state.words[1] >>> 0, state.words[2] >>> 0, state.words[3] >>> 0];
    rng.spare = state.spareNormal;
    return rng;
  }
}
