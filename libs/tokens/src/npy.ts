/**
 * Minimal NumPy `.npy` (version 1.0) codec for 1-D token arrays: `<u2` and `<i4` written, `<u2` `<i4` `<i8` `<u4`
 * read. Header = magic `\x93NUMPY`, version 1.0, uint16 header length, a Python dict literal padded with spaces and
 * a newline so that the data starts at a multiple of 64 bytes.
 */
import { NPY_MAGIC as MAGIC, npyPayload } from '@vqrae/data';

/** Encodes a 1-D array `[n]` as a `.npy` payload. */
export function encodeNpy1d(values: Uint16Array | Int32Array): Uint8Array {
  const descr = values instanceof Uint16Array ? '<u2' : '<i4';
  return npyPayload(descr, [values.length], new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** Decodes a 1-D integer `.npy` payload into Int32 ids; `name` appears in errors. */
export function decodeNpyIds(bytes: Uint8Array, name: string): Int32Array {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error(`${name}: not a .npy array (bad magic)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const shape = /'shape'\s*:\s*\(\s*(\d+)\s*,?\s*\)/.exec(header)?.[1];
  if (descr === undefined || shape === undefined) throw new Error(`${name}: .npy header is not a 1-D array: ${JSON.stringify(header.trim())}`);
  const n = Number(shape);
  const body = new Uint8Array(bytes.subarray(start + headerLength)); // aligned copy (Buffer.slice would share the pool)
  const width = { '<u2': 2, '<i4': 4, '<u4': 4, '<i8': 8 }[descr];
  if (width === undefined) throw new Error(`${name}: unsupported token dtype '${descr}' (expected <u2, <i4, <u4 or <i8)`);
  if (body.length < n * width) throw new Error(`${name}: truncated .npy data (${body.length} bytes for ${n} × ${width})`);
  if (descr === '<u2') return Int32Array.from(new Uint16Array(body.buffer, 0, n));
  if (descr === '<i4') return new Int32Array(body.buffer, 0, n);
  const wide = descr === '<u4' ? Array.from(new Uint32Array(body.buffer, 0, n), BigInt) : Array.from(new BigInt64Array(body.buffer, 0, n));
  return Int32Array.from(wide, (v, j) => {
    if (v < -2147483648n || v > 2147483647n) throw new Error(`${name}: token [${j}] = ${v} does not fit Int32`);
    return Number(v);
  });
}
