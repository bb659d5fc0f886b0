/** A seeded generator of uniform numbers in [0, 1) (mulberry32, 32-bit state). */
export function mulberry32(seed: number): () => number;
