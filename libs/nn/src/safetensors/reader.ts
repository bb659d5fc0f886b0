/**
 * safetensors reader with positioned reads (fs.FileHandle.read at an offset): only the header is read at open and
 * each tensor's bytes are read on demand, so multi-GB checkpoints never sit in one buffer.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { bf16ToF32, f16ToF32, isFloatDtype, type SafetensorsDtype } from './dtypes.js';
import { MAX_HEADER_BYTES, parseHeader, type SafetensorsHeader, type TensorInfo } from './header.js';
import { nearestNames } from '../params/names.js';

/** Largest single positioned read (Node caps one read below 2 GiB). */
const READ_CHUNK_BYTES = 1 << 28;

/** Decoded values of one tensor with their natural JS array type. */
export type TensorValues =
  | { readonly kind: 'float32'; readonly data: Float32Array }
  | { readonly kind: 'int32'; readonly data: Int32Array }
  | { readonly kind: 'float64'; readonly data: Float64Array }
  | { readonly kind: 'bigint64'; readonly data: BigInt64Array }
  | { readonly kind: 'uint8'; readonly data: Uint8Array };

/** Options of `readTensor`. */
export interface ReadTensorOptions {
  /** Refuse NaN/±Infinity in float tensors, naming the tensor and the first bad index (one pass, ~1 ns/value). */
  readonly requireFinite?: boolean;
  /** Refuse tensors stored with an integer or bool dtype (weights: an F32 tensor relabelled I32 has the same size). */
  readonly requireFloat?: boolean;
}

/** Options of `readAll`. */
export interface ReadAllOptions {
  /** Remove the selection prefix from the returned names. */
  readonly stripPrefix?: boolean;
}

/** An open safetensors file. Close it with `close()`. */
export class SafetensorsFile {
  private constructor(
    private readonly handle: fsp.FileHandle,
    private readonly header: SafetensorsHeader,
    readonly path: string,
  ) {}

  /** Opens `path` and parses its header (reads 8 + n bytes). */
  static async open(path: string): Promise<SafetensorsFile> {
    if (os.endianness() !== 'LE') throw new Error('SafetensorsFile: big-endian hosts are not supported');
    const handle = await fsp.open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size < 8) throw new Error(`safetensors ${path}: file is ${size} bytes, shorter than the 8-byte header length`);
      const lengthBytes = await readExactly(handle, 0, 8, path);
      const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
      if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
        throw new Error(`safetensors ${path}: header length ${headerLength} is invalid for a ${size}-byte file`);
      }
      const json = new TextDecoder().decode(await readExactly(handle, 8, headerLength, path));
      const header = parseHeader(json, headerLength, size - 8 - headerLength, path);
      return new SafetensorsFile(handle, header, path);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** `__metadata__` of the header (empty object when absent). */
  get metadata(): Record<string, string> {
    return { ...this.header.metadata };
  }

  /** Tensor names in header order, optionally only those starting with `prefix`. */
  keys(prefix = ''): string[] {
    return [...this.header.tensors.keys()].filter((k) => k.startsWith(prefix));
  }

  /** dtype, shape and byte range of `key`. */
  info(key: string): TensorInfo {
    const info = this.header.tensors.get(key);
    if (info === undefined) {
      const near = nearestNames(key, this.header.tensors.keys());
      throw new Error(`safetensors ${this.path}: no tensor '${key}' (nearest: ${near.join(', ') || 'none'})`);
    }
    return { ...info, shape: [...info.shape] };
  }

  /** name → shape for the keys under `prefix`. */
  shapes(prefix = ''): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const key of this.keys(prefix)) out[key] = this.info(key).shape;
    return out;
  }

  /** Raw little-endian bytes of `key` (one positioned read per ≤256 MiB). */
  async readBytes(key: string): Promise<Uint8Array> {
    const info = this.info(key);
    return readExactly(this.handle, this.header.dataStart + info.begin, info.end - info.begin, `${this.path} ('${key}')`);
  }

  /** Values of `key` in their natural array type (F16/BF16 widened to float32, I16/I8 to int32, BOOL to uint8). */
  async readValues(key: string): Promise<TensorValues> {
    const { dtype } = this.info(key);
    return decode(dtype, await this.readBytes(key));
  }

  /** Values of `key` as float32 (integers converted). */
  async readFloat32(key: string, opts: ReadTensorOptions = {}): Promise<Float32Array> {
    this.assertFloat(key, opts);
    const values = await this.readValues(key);
    if (opts.requireFinite && (values.kind === 'float32' || values.kind === 'float64')) this.assertFinite(key, values.data);
    if (values.kind === 'float32') return values.data;
    if (values.kind === 'bigint64') return Float32Array.from(values.data, (v) => Number(v));
    return Float32Array.from(values.data);
  }

  /**
   * `key` as a new tensor (caller owns): float types → float32, integer types → int32 (I64 must fit in int32),
   * BOOL → bool.
   */
  async readTensor(key: string, opts: ReadTensorOptions = {}): Promise<tf.Tensor> {
    const { shape, dtype } = this.info(key);
    this.assertFloat(key, opts);
    const values = await this.readValues(key);
    if (opts.requireFinite && (values.kind === 'float32' || values.kind === 'float64')) this.assertFinite(key, values.data);
    switch (values.kind) {
      case 'float32':
        return tf.tensor(values.data, shape, 'float32');
      case 'float64':
        return tf.tensor(Float32Array.from(values.data), shape, 'float32');
      case 'int32':
        return tf.tensor(values.data, shape, 'int32');
      case 'bigint64':
        return tf.tensor(bigintToInt32(values.data, `${this.path} ('${key}')`), shape, 'int32');
      case 'uint8':
        return dtype === 'BOOL' ? tf.tensor(values.data, shape, 'bool') : tf.tensor(Int32Array.from(values.data), shape, 'int32');
    }
  }

  /** Every tensor under `prefix` (read in file order), optionally with the prefix stripped. Caller owns them. */
  async readAll(prefix = '', opts: ReadAllOptions = {}): Promise<Record<string, tf.Tensor>> {
    const keys = this.keys(prefix).sort((a, b) => this.info(a).begin - this.info(b).begin);
    const out: Record<string, tf.Tensor> = {};
    try {
      for (const key of keys) out[opts.stripPrefix ? key.slice(prefix.length) : key] = await this.readTensor(key);
    } catch (error) {
      for (const t of Object.values(out)) t.dispose();
      throw error;
    }
    return out;
  }

  private assertFloat(key: string, opts: ReadTensorOptions): void {
    const { dtype } = this.info(key);
    if (opts.requireFloat && !isFloatDtype(dtype)) throw new Error(`safetensors ${this.path}: tensor '${key}' is stored as ${dtype}; a float weight (F32, F16, BF16 or F64) is expected`);
  }

  private assertFinite(key: string, data: Float32Array | Float64Array): void {
    const bad = firstNonFinite(data);
    if (bad >= 0) {
      throw new Error(`safetensors ${this.path}: tensor '${key}' has a non-finite value (${data[bad]}) at index ${bad} of ${data.length}; the weights are corrupt`);
    }
  }

  /** Closes the file handle. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Index of the first NaN or ±Infinity, or -1 (`v - v` is 0 for every finite v and NaN otherwise). */
export function firstNonFinite(data: Float32Array | Float64Array): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

async function readExactly(handle: fsp.FileHandle, position: number, length: number, source: string): Promise<Uint8Array> {
  const out = new Uint8Array(length); // fresh ArrayBuffer: aligned for typed-array views
  let done = 0;
  while (done < length) {
    const want = Math.min(READ_CHUNK_BYTES, length - done);
    const { bytesRead } = await handle.read(out, done, want, position + done);
    if (bytesRead === 0) throw new Error(`safetensors ${source}: unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
  return out;
}

function decode(dtype: SafetensorsDtype, bytes: Uint8Array): TensorValues {
  const buffer = bytes.buffer;
  const offset = bytes.byteOffset;
  switch (dtype) {
    case 'F32':
      return { kind: 'float32', data: new Float32Array(buffer, offset, bytes.byteLength / 4) };
    case 'F16':
      return { kind: 'float32', data: f16ToF32(new Uint16Array(buffer, offset, bytes.byteLength / 2)) };
    case 'BF16':
      return { kind: 'float32', data: bf16ToF32(new Uint16Array(buffer, offset, bytes.byteLength / 2)) };
    case 'F64':
      return { kind: 'float64', data: new Float64Array(buffer, offset, bytes.byteLength / 8) };
    case 'I64':
      return { kind: 'bigint64', data: new BigInt64Array(buffer, offset, bytes.byteLength / 8) };
    case 'I32':
      return { kind: 'int32', data: new Int32Array(buffer, offset, bytes.byteLength / 4) };
    case 'I16':
      return { kind: 'int32', data: Int32Array.from(new Int16Array(buffer, offset, bytes.byteLength / 2)) };
    case 'I8':
      return { kind: 'int32', data: Int32Array.from(new Int8Array(buffer, offset, bytes.byteLength)) };
    case 'U8':
    case 'BOOL':
      return { kind: 'uint8', data: bytes };
  }
}

function bigintToInt32(values: BigInt64Array, source: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 2147483647n || v < -2147483648n) throw new Error(`safetensors ${source}: I64 value ${v} at index ${i} does not fit in int32`);
    out[i] = Number(v);
  }
  return out;
}
