/**
 * Streaming, atomic safetensors writer: the header is computed from shapes alone, then tensors are converted and
 * written one at a time to `<path>.tmp-<pid>-<n>`, fsynced and renamed over `path` (a crash never leaves a
 * half-written checkpoint under the final name; a failure removes the temporary file, and temporaries of `path` left
 * by killed processes are removed before writing).
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { bytesPerElement, f32ToBf16, f32ToF16, type SafetensorsDtype } from './dtypes.js';
import { removeStaleCheckpointTemps } from './stale-temps.js';

/** Host-side tensor to write, with the dtype to store it as. */
export interface RawTensor {
  readonly data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Int8Array | Int16Array;
  readonly shape: readonly number[];
  /** Stored dtype. Uint16Array data with F16/BF16 is taken as raw bits; Float32Array data is converted. */
  readonly dtype: SafetensorsDtype;
}

/** What `writeSafetensors` accepts per name. */
export type WritableTensor = tf.Tensor | RawTensor;

/** Options of `writeSafetensors`. */
export interface WriteOptions {
  /** `__metadata__` (string values; JSON-encode objects). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Storage type of float32 tf.Tensors (default F32). Integer tensors are stored as I32, bool as BOOL. */
  readonly dtype?: 'F32' | 'F16' | 'BF16';
}

let tempCounter = 0;

function storedDtype(value: WritableTensor, floatDtype: 'F32' | 'F16' | 'BF16'): SafetensorsDtype {
  if (value instanceof tf.Tensor) {
    if (value.dtype === 'float32') return floatDtype;
    if (value.dtype === 'int32') return 'I32';
    if (value.dtype === 'bool') return 'BOOL';
    throw new Error(`cannot store tf dtype ${value.dtype}`);
  }
  return value.dtype;
}

function shapeOf(value: WritableTensor): number[] {
  return value instanceof tf.Tensor ? [...value.shape] : [...value.shape];
}

/** Converts host values to the stored bytes of `dtype`. */
function encode(data: RawTensor['data'], dtype: SafetensorsDtype, name: string): Uint8Array {
  const bytes = (view: ArrayBufferView): Uint8Array => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const asFloat32 = (): Float32Array => (data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>));
  switch (dtype) {
    case 'F32':
      return bytes(asFloat32());
    case 'F64':
      return bytes(data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>));
    case 'F16':
      return bytes(data instanceof Uint16Array ? data : f32ToF16(asFloat32()));
    case 'BF16':
      return bytes(data instanceof Uint16Array ? data : f32ToBf16(asFloat32()));
    case 'I64':
      return bytes(data instanceof BigInt64Array ? data : BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v)));
    case 'I32':
      return bytes(data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>));
    case 'I16':
      return bytes(data instanceof Int16Array ? data : Int16Array.from(data as ArrayLike<number>));
    case 'I8':
      return bytes(data instanceof Int8Array ? data : Int8Array.from(data as ArrayLike<number>));
    case 'U8':
    case 'BOOL':
      if (data instanceof BigInt64Array) throw new Error(`'${name}': cannot store BigInt64Array as ${dtype}`);
      return data instanceof Uint8Array ? data : Uint8Array.from(data);
  }
}

async function hostData(value: WritableTensor): Promise<RawTensor['data']> {
  if (!(value instanceof tf.Tensor)) return value.data;
  const data = await value.data();
  if (data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint8Array) return data;
  throw new Error(`unsupported tensor data type ${value.dtype}`);
}

/**
 * Writes `tensors` (in insertion order) to `path` atomically. tf.Tensors are read with `await t.data()` one at a
 * time and are not disposed (caller keeps ownership).
 */
export async function writeSafetensors(path: string, tensors: Readonly<Record<string, WritableTensor>>, opts: WriteOptions = {}): Promise<void> {
  if (os.endianness() !== 'LE') throw new Error('writeSafetensors: big-endian hosts are not supported');
  const floatDtype = opts.dtype ?? 'F32';
  const header: Record<string, unknown> = {};
  if (opts.metadata !== undefined) {
    for (const [key, value] of Object.entries(opts.metadata)) {
      if (typeof value !== 'string') throw new Error(`writeSafetensors ${path}: metadata '${key}' must be a string (JSON-encode objects)`);
    }
    header.__metadata__ = { ...opts.metadata };
  }
  const plan: { name: string; dtype: SafetensorsDtype; byteLength: number }[] = [];
  let offset = 0;
  for (const [name, value] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new Error(`writeSafetensors ${path}: '__metadata__' is reserved`);
    let dtype: SafetensorsDtype;
    try {
      dtype = storedDtype(value, floatDtype);
    } catch (error) {
      throw new Error(`writeSafetensors ${path}: '${name}': ${(error as Error).message}`);
    }
    const shape = shapeOf(value);
    const elements = shape.reduce((a, b) => a * b, 1);
    if (!(value instanceof tf.Tensor) && value.data.length !== elements) {
      throw new Error(`writeSafetensors ${path}: '${name}' has ${value.data.length} values for shape [${shape.join(', ')}]`);
    }
    if (value instanceof tf.Tensor && value.isDisposed) throw new Error(`writeSafetensors ${path}: tensor '${name}' is disposed`);
    const byteLength = elements * bytesPerElement(dtype);
    header[name] = { dtype, shape, data_offsets: [offset, offset + byteLength] };
    plan.push({ name, dtype, byteLength });
    offset += byteLength;
  }
  let json = JSON.stringify(header);
  const jsonBytes = () => Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (jsonBytes() % 8)) % 8); // pad so the data section is 8-byte aligned
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length), 0);

  await removeStaleCheckpointTemps(path);
  const temp = `${path}.tmp-${process.pid}-${tempCounter++}`;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(temp, 'w');
  } catch (error) {
    throw new Error(`writeSafetensors ${path}: cannot create ${temp}: ${(error as Error).message}`);
  }
  try {
    await handle.write(prefix);
    await handle.write(headerBytes);
    for (const { name, dtype, byteLength } of plan) {
      const value = tensors[name];
      const data = await hostData(value);
      const encoded = encode(data, dtype, name);
      if (encoded.byteLength !== byteLength) throw new Error(`'${name}': encoded ${encoded.byteLength} bytes, expected ${byteLength}`);
      let written = 0;
      while (written < encoded.byteLength) {
        const { bytesWritten } = await handle.write(encoded, written, encoded.byteLength - written);
        written += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    await fsp.rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.rm(temp, { force: true });
    throw new Error(`writeSafetensors ${path}: ${(error as Error).message}`);
  }
}
