/**
 * The one `.npy` (version 1.0) writer of the repository: magic `\x93NUMPY`, version 1.0, uint16 header length, a
 * Python dict literal padded with spaces and a newline so that the data starts at a multiple of 64 bytes, then the
 * raw little-endian payload. `@vqrae/eval` (statistics `.npz`) and `@vqrae/tokens` (WebDataset token members) build
 * their arrays on it.
 */

/** `\x93NUMPY`: the first six bytes of every `.npy` file. */
export const NPY_MAGIC: readonly number[] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** A `.npy` file holding `payload` as an array of NumPy dtype `descr` (e.g. `<f8`, `<u2`, `<U12`) and `shape`. */
export function npyPayload(descr: string, shape: readonly number[], payload: Uint8Array): Uint8Array {
  const shapeLiteral = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeLiteral}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + payload.length);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(payload, 10 + header.length);
  return out;
}
