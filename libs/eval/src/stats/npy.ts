/**
 * NumPy `.npy` encoding (format versions 1.0–3.0): the arrays that Fréchet statistics files hold. Little-endian
 * float64/float32/int64/int32/uint8 numbers and fixed-width unicode strings (`<U`) are supported; other dtypes are
 * reported by name so a caller can ignore arrays it does not need.
 */
import { NPY_MAGIC as MAGIC, npyPayload } from '@vqrae/data';

/** A decoded `.npy` array; numbers are always row-major (Fortran-ordered 2-D input is transposed on read). */
export type NpyArray =
  | { readonly dtype: 'f8'; readonly shape: readonly number[]; readonly data: Float64Array }
  | { readonly dtype: 'f4'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'i8'; readonly shape: readonly number[]; readonly data: BigInt64Array }
  | { readonly dtype: 'i4'; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: 'u1'; readonly shape: readonly number[]; readonly data: Uint8Array }
  | { readonly dtype: 'unicode'; readonly shape: readonly []; readonly data: string };


interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: number[];
  readonly dataOffset: number;
}

function parseHeader(bytes: Uint8Array, name: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error(`npy '${name}': not a .npy array (bad magic)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`npy '${name}': unreadable header ${JSON.stringify(text)}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset: headerStart + headerLength };
}

/** The dtype string of a `.npy` payload (e.g. `<f8`, `|u1`) without decoding its data. */
export function npyDescr(bytes: Uint8Array, name: string): string {
  return parseHeader(bytes, name).descr;
}

/** Decodes a `.npy` payload. `name` appears in error messages. */
export function decodeNpy(bytes: Uint8Array, name: string): NpyArray {
  const { descr, fortranOrder, shape, dataOffset } = parseHeader(bytes, name);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = bytes.slice(dataOffset); // copy: aligned buffer for the typed-array views below
  const unicode = /^[<|]U(\d+)$/.exec(descr);
  if (unicode) {
    if (shape.length !== 0) throw new Error(`npy '${name}': only scalar unicode arrays are supported, got shape (${shape.join(', ')})`);
    const chars = Array.from(new Uint32Array(body.buffer, 0, Number(unicode[1])), (c) => c).filter((c) => c !== 0);
    return { dtype: 'unicode', shape: [], data: String.fromCodePoint(...chars) };
  }
  const need = (bytesPer: number): void => {
    if (body.length < count * bytesPer) throw new Error(`npy '${name}': truncated data (${body.length} bytes for ${count} × ${bytesPer})`);
  };
  let array: NpyArray;
  switch (descr) {
    case '<f8': need(8); array = { dtype: 'f8', shape, data: new Float64Array(body.buffer, 0, count) }; break;
    case '<f4': need(4); array = { dtype: 'f4', shape, data: new Float32Array(body.buffer, 0, count) }; break;
    case '<i8': need(8); array = { dtype: 'i8', shape, data: new BigInt64Array(body.buffer, 0, count) }; break;
    case '<i4': need(4); array = { dtype: 'i4', shape, data: new Int32Array(body.buffer, 0, count) }; break;
    case '|u1': case '<u1': need(1); array = { dtype: 'u1', shape, data: new Uint8Array(body.buffer, 0, count) }; break;
    default: throw new Error(`npy '${name}': unsupported dtype '${descr}' (supported: <f8 <f4 <i8 <i4 |u1 <U)`);
  }
  return fortranOrder && shape.length > 1 ? toRowMajor(array, name) : array;
}

function toRowMajor(array: NpyArray, name: string): NpyArray {
  if (array.shape.length !== 2 || (array.dtype !== 'f8' && array.dtype !== 'f4')) {
    throw new Error(`npy '${name}': Fortran-ordered arrays are supported for 2-D floats only`);
  }
  const [rows, cols] = array.shape;
  const src = array.data;
  const out = array.dtype === 'f8' ? new Float64Array(src.length) : new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = src[c * rows + r];
  return array.dtype === 'f8' ? { dtype: 'f8', shape: array.shape, data: out as Float64Array } : { dtype: 'f4', shape: array.shape, data: out as Float32Array };
}

const DESCR: Record<Exclude<NpyArray['dtype'], 'unicode'>, string> = { f8: '<f8', f4: '<f4', i8: '<i8', i4: '<i4', u1: '|u1' };

/** Encodes an array as `.npy` version 1.0 (C order, header padded to a multiple of 64 bytes like NumPy). */
export function encodeNpy(array: NpyArray): Uint8Array {
  let descr: string;
  let payload: Uint8Array;
  if (array.dtype === 'unicode') {
    const codePoints = Array.from(array.data, (ch) => ch.codePointAt(0) ?? 0);
    const width = Math.max(1, codePoints.length);
    descr = `<U${width}`;
    payload = new Uint8Array(Uint32Array.from({ length: width }, (_, i) => codePoints[i] ?? 0).buffer);
  } else {
    const expected = array.shape.reduce((a, b) => a * b, 1);
    if (array.data.length !== expected) throw new Error(`encodeNpy: ${array.data.length} values for shape (${array.shape.join(', ')})`);
    descr = DESCR[array.dtype];
    payload = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  }
  return npyPayload(descr, array.shape, payload);
}
