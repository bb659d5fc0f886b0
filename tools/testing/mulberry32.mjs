// mulberry32: the small seeded generator of the procedural assets (the demo scenes of assets/generate-images.mjs and the
// large test photographs of tools/testing/large-photos.ts): one definition, so both draw the same sequences.

/**
 * A seeded generator of uniform numbers in [0, 1) (32-bit state).
 * @param {number} seed
 * @returns {() => number}
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
