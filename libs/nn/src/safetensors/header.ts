/**
 * safetensors header: 8-byte little-endian u64 length n, then n bytes of UTF-8 JSON
 * { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { string: string } }; offsets are relative
 * to the data section that starts at 8 + n.
 */
import { bytesPerElement, isSafetensorsDtype, type SafetensorsDtype } from './dtypes.js';

/** One tensor entry of the header. */
export interface TensorInfo {
  readonly dtype: SafetensorsDtype;
  readonly shape: number[];
  /** Byte range [begin, end) relative to the data section. */
  readonly begin: number;
  readonly end: number;
}

/** Parsed header. */
export interface SafetensorsHeader {
  readonly tensors: Map<string, TensorInfo>;
  readonly metadata: Record<string, string>;
  /** Absolute file offset of the data section (8 + header length). */
  readonly dataStart: number;
}

/** Largest header accepted (the reference implementation's limit is 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and validates the JSON header text; `source` names the file in errors. */
export function parseHeader(json: string, headerLength: number, dataLength: number, source: string): SafetensorsHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`safetensors ${source}: header is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(parsed)) throw new Error(`safetensors ${source}: header must be a JSON object`);
  const tensors = new Map<string, TensorInfo>();
  const metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isRecord(raw)) throw new Error(`safetensors ${source}: __metadata__ must be an object of strings`);
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value !== 'string') throw new Error(`safetensors ${source}: __metadata__.${key} is not a string`);
        metadata[key] = value;
      }
      continue;
    }
    if (!isRecord(raw)) throw new Error(`safetensors ${source}: entry '${name}' is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw;
    if (typeof dtype !== 'string' || !isSafetensorsDtype(dtype)) throw new Error(`safetensors ${source}: '${name}' has unsupported dtype ${String(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isInteger(d) && d >= 0)) {
      throw new Error(`safetensors ${source}: '${name}' has invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o): o is number => Number.isInteger(o) && o >= 0)) {
      throw new Error(`safetensors ${source}: '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets;
    const expectedBytes = shape.reduce((a, b) => a * b, 1) * bytesPerElement(dtype);
    if (end - begin !== expectedBytes) {
      throw new Error(`safetensors ${source}: '${name}' spans ${end - begin} bytes, expected ${expectedBytes} for ${dtype} [${shape.join(', ')}]`);
    }
    if (end > dataLength) throw new Error(`safetensors ${source}: '${name}' ends at byte ${end} beyond the data section (${dataLength} bytes)`);
    tensors.set(name, { dtype, shape, begin, end });
  }
  checkNoOverlap(tensors, source);
  return { tensors, metadata, dataStart: 8 + headerLength };
}

/** Two tensors may not share bytes (a header that aliases them is corrupt or crafted); empty tensors take none. */
function checkNoOverlap(tensors: ReadonlyMap<string, TensorInfo>, source: string): void {
  const spans = [...tensors].filter(([, t]) => t.end > t.begin).sort((a, b) => a[1].begin - b[1].begin);
  for (let i = 1; i < spans.length; i++) {
    const [prevName, prev] = spans[i - 1]!;
    const [name, info] = spans[i]!;
    if (info.begin < prev.end) {
      throw new Error(`safetensors ${source}: tensors '${prevName}' [${prev.begin}, ${prev.end}) and '${name}' [${info.begin}, ${info.end}) overlap; each tensor needs its own bytes`);
    }
  }
}
