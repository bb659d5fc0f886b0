/**
 * safetensors element types and conversions (little-endian host assumed; checked at file open).
 * F16 → F32 uses a 65536-entry table; F32 → F16/BF16 round to nearest, ties to even.
 */

/** Element types this module reads (F32/F16/BF16 also write; integer types read and write). */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Bytes per element. */
export function bytesPerElement(dtype: SafetensorsDtype): number {
  return BYTES[dtype];
}

/** Narrows a header string to a supported dtype. */
export function isSafetensorsDtype(value: string): value is SafetensorsDtype {
  return Object.prototype.hasOwnProperty.call(BYTES, value);
}

/** True for the floating-point types. */
export function isFloatDtype(dtype: SafetensorsDtype): boolean {
  return dtype === 'F64' || dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

let halfTable: Float32Array | null = null;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** IEEE half bits → float32 values. */
export function f16ToF32(bits: Uint16Array): Float32Array {
  if (halfTable === null) {
    halfTable = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) halfTable[i] = halfToFloat(i);
  }
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfTable[bits[i]];
  return out;
}

/** bfloat16 bits → float32 values (the 16 bits become the high half of the float32). */
export function bf16ToF32(bits: Uint16Array): Float32Array {
  const words = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i] << 16;
  return new Float32Array(words.buffer);
}

/** float32 values → IEEE half bits (round to nearest even; overflow → ±Inf; NaN preserved). */
export function f32ToF16(values: Float32Array): Uint16Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = words[i];
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
      continue;
    }
    const e = exponent - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      if (e < -10) {
        out[i] = sign; // underflow to ±0
        continue;
      }
      mantissa |= 0x800000; // implicit leading one
      const shift = 14 - e;
      const half = 1 << (shift - 1);
      const rest = mantissa & ((1 << shift) - 1);
      let result = mantissa >>> shift;
      if (rest > half || (rest === half && (result & 1) === 1)) result += 1;
      out[i] = sign | result;
    } else {
      let result = (e << 10) | (mantissa >>> 13);
      const rest = mantissa & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && (result & 1) === 1)) result += 1; // may carry into exponent (→ Inf ok)
      out[i] = sign | result;
    }
  }
  return out;
}

/** float32 values → bfloat16 bits (round to nearest even; NaN stays NaN). */
export function f32ToBf16(values: Float32Array): Uint16Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = words[i];
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) {
      out[i] = ((x >>> 16) | 0x40) & 0xffff;
      continue;
    }
    out[i] = ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}
