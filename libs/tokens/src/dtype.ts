/** On-disk token dtype: uint16 when every id fits (vocabulary of ≤ 65536 ids), else int32. */
export type TokenDtype = 'uint16' | 'int32';

/** Chooses the token dtype from the exclusive upper bound of the ids. */
export function tokenDtypeFor(vocabSize: number): TokenDtype {
  if (!Number.isSafeInteger(vocabSize) || vocabSize < 1) throw new Error(`token dtype: vocabulary size must be a positive integer, got ${vocabSize}`);
  return vocabSize <= 65536 ? 'uint16' : 'int32';
}

/** Checks every id is in [0, vocabSize), naming the sequence and position of the first bad one. */
export function assertIdsInRange(ids: Int32Array, vocabSize: number, where: string): void {
  for (let j = 0; j < ids.length; j++) {
    const t = ids[j]!;
    if (t < 0 || t >= vocabSize) throw new Error(`${where}: token id ${t} at position ${j} outside [0, ${vocabSize})`);
  }
}

/** Copies ids into a typed array of the chosen dtype (little-endian on every platform Node runs on). */
export function packIds(ids: Int32Array, dtype: TokenDtype): Uint16Array | Int32Array {
  return dtype === 'uint16' ? Uint16Array.from(ids) : ids;
}
