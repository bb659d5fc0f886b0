import { assertIdsInRange, packIds, tokenDtypeFor } from '../dtype.js';
import { decodeSidecar, encodeSidecar, SIDECAR_EXTENSION } from '../sidecar.js';
import type { TokenFile, TokenSequence, TokenShardWriter, TokenWriterConfig } from '../types.js';

/**
 * Megatron-LM / NeMo indexed dataset (MMIDIDX, version 1), written from the published format description:
 *   `.bin`: all token ids back to back, little-endian uint16 or int32.
 *   `.idx`: magic `MMIDIDX\0\0` (9 bytes) · version u64 = 1 · dtype code u8 (8 = uint16, 4 = int32) ·
 *           sequence count u64 · document-index length u64 (documents + 1) · sequence lengths i32[S] ·
 *           sequence byte pointers i64[S] · document index i64[D + 1] (0, then the sequence count after each document).
 * One document per sequence record: an image's ids form one sequence; a packed row is one document whose sequences are
 * its packed documents (split at `docStarts`), so Megatron sees the boundaries. Keys and provenance go to the sidecar.
 */
export const MEGATRON_MAGIC = new Uint8Array([0x4d, 0x4d, 0x49, 0x44, 0x49, 0x44, 0x58, 0x00, 0x00]);
const DTYPE_CODE = { uint16: 8, int32: 4 } as const;

export function megatronWriter(config: TokenWriterConfig): TokenShardWriter {
  const sequences: TokenSequence[] = [];
  return {
    format: 'megatron',
    extensions: ['.bin', '.idx', `.megatron${SIDECAR_EXTENSION}`],
    add: (s) => void sequences.push(s),
    finish: async (): Promise<TokenFile[]> => {
      const { bin, idx, dtype } = encodeMegatron(sequences, config.vocabSize);
      return [
        { name: `${config.baseName}.bin`, bytes: bin },
        { name: `${config.baseName}.idx`, bytes: idx },
        { name: `${config.baseName}.megatron${SIDECAR_EXTENSION}`, bytes: encodeSidecar('megatron', config, sequences, { dtype, documents: true }) },
      ];
    },
  };
}

/** Encodes sequences as one `.bin` + `.idx` pair. */
export function encodeMegatron(sequences: readonly TokenSequence[], vocabSize: number): { bin: Uint8Array; idx: Uint8Array; dtype: 'uint16' | 'int32' } {
  const dtype = tokenDtypeFor(vocabSize);
  const itemSize = dtype === 'uint16' ? 2 : 4;
  const lengths: number[] = [];
  const documentIndex: number[] = [0];
  for (const s of sequences) {
    assertIdsInRange(s.ids, vocabSize, `megatron: sequence ${s.key}`);
    const starts = s.docStarts ?? Int32Array.of(0);
    for (let d = 0; d < starts.length; d++) {
      const end = d + 1 < starts.length ? starts[d + 1]! : s.ids.length;
      if (end <= starts[d]!) throw new Error(`megatron: sequence ${s.key}: doc_starts must be strictly increasing from 0 and inside the row`);
      lengths.push(end - starts[d]!);
    }
    documentIndex.push(lengths.length);
  }
  const total = lengths.reduce((a, b) => a + b, 0);
  const bin = new Uint8Array(total * itemSize);
  let at = 0;
  for (const s of sequences) {
    const packed = packIds(s.ids, dtype);
    bin.set(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength), at);
    at += packed.byteLength;
  }
  const idx = new Uint8Array(9 + 8 + 1 + 8 + 8 + lengths.length * 4 + lengths.length * 8 + documentIndex.length * 8);
  const view = new DataView(idx.buffer);
  idx.set(MEGATRON_MAGIC, 0);
  let o = 9;
  view.setBigUint64(o, 1n, true); o += 8;
  view.setUint8(o, DTYPE_CODE[dtype]); o += 1;
  view.setBigUint64(o, BigInt(lengths.length), true); o += 8;
  view.setBigUint64(o, BigInt(documentIndex.length), true); o += 8;
  for (const n of lengths) {
    view.setInt32(o, n, true); // sequence lengths i32[S]
    o += 4;
  }
  let pointer = 0;
  for (const n of lengths) {
    view.setBigInt64(o, BigInt(pointer), true); // byte pointers i64[S]
    o += 8;
    pointer += n * itemSize;
  }
  for (const d of documentIndex) {
    view.setBigInt64(o, BigInt(d), true); // document index i64[D + 1]
    o += 8;
  }
  return { bin, idx, dtype };
}

/** A read-back Megatron dataset: sequences (token ids) and the document index. */
export interface MegatronDataset {
  readonly dtype: 'uint16' | 'int32';
  readonly sequences: Int32Array[];
  /** `[D + 1]`: document d holds sequences `documentIndex[d] … documentIndex[d+1]-1`. */
  readonly documentIndex: number[];
}

/** Reads a `.bin` + `.idx` pair, checking the header and every pointer; `source` (the prefix) appears in errors. */
export function decodeMegatron(idx: Uint8Array, bin: Uint8Array, source: string): MegatronDataset {
  if (idx.length < 34 || MEGATRON_MAGIC.some((b, i) => idx[i] !== b)) throw new Error(`${source}.idx: not a Megatron MMIDIDX index (bad magic)`);
  const view = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
  const version = view.getBigUint64(9, true);
  if (version !== 1n) throw new Error(`${source}.idx: unsupported index version ${version} (expected 1)`);
  const code = view.getUint8(17);
  const dtype = code === 8 ? 'uint16' : code === 4 ? 'int32' : undefined;
  if (!dtype) throw new Error(`${source}.idx: unsupported token dtype code ${code} (expected 8 = uint16 or 4 = int32)`);
  const count = Number(view.getBigUint64(18, true));
  const docCount = Number(view.getBigUint64(26, true));
  const need = 34 + count * 12 + docCount * 8;
  if (idx.length < need) throw new Error(`${source}.idx: truncated (${idx.length} bytes, header promises ${need})`);
  const itemSize = dtype === 'uint16' ? 2 : 4;
  const sequences: Int32Array[] = [];
  for (let i = 0; i < count; i++) {
    const length = view.getInt32(34 + i * 4, true);
    const pointer = Number(view.getBigInt64(34 + count * 4 + i * 8, true));
    if (length < 0 || pointer < 0 || pointer + length * itemSize > bin.length) throw new Error(`${source}.bin: sequence ${i} (${length} tokens at byte ${pointer}) lies outside the ${bin.length}-byte file`);
    const bytes = new Uint8Array(bin.subarray(pointer, pointer + length * itemSize)); // aligned copy (never a Buffer pool view)
    sequences.push(dtype === 'uint16' ? Int32Array.from(new Uint16Array(bytes.buffer)) : new Int32Array(bytes.buffer));
  }
  const documentIndex: number[] = [];
  for (let d = 0; d < docCount; d++) documentIndex.push(Number(view.getBigInt64(34 + count * 12 + d * 8, true)));
  if (documentIndex[0] !== 0 || documentIndex.some((v, d) => d > 0 && v < documentIndex[d - 1]!) || documentIndex.at(-1) !== count) {
    throw new Error(`${source}.idx: document index is not 0 … ${count} non-decreasing`);
  }
  return { dtype, sequences, documentIndex };
}

/** Reads a Megatron shard unit (`.idx`, `.bin`, sidecar) back into token sequences (one per document). */
export function readMegatronSequences(idx: Uint8Array, bin: Uint8Array, sidecarBytes: Uint8Array, source: string): { sequences: TokenSequence[]; metadata: Map<string, string> } {
  const data = decodeMegatron(idx, bin, source);
  const sidecar = decodeSidecar(sidecarBytes, `${source}.megatron${SIDECAR_EXTENSION}`);
  const documents = sidecar.documents ?? [];
  const docs = data.documentIndex.length - 1;
  if (documents.length !== docs) throw new Error(`${source}: the sidecar lists ${documents.length} document(s), the index holds ${docs}`);
  const sequences = documents.map((doc, d): TokenSequence => {
    const parts = data.sequences.slice(data.documentIndex[d]!, data.documentIndex[d + 1]!);
    const ids = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    const starts = new Int32Array(parts.length);
    let at = 0;
    parts.forEach((p, i) => {
      ids.set(p, at);
      starts[i] = at;
      at += p.length;
    });
    const { key, shard, aug, ...side } = doc;
    return { key, shard, aug, ids, ...(parts.length > 1 ? { docStarts: starts } : {}), grid: sidecar.grid, side };
  });
  return { sequences, metadata: new Map(Object.entries(sidecar.metadata)) };
}
