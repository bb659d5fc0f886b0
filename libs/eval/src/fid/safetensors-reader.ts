import { open, type FileHandle } from 'node:fs/promises';

/**
 * Minimal positioned-read safetensors reader used by the FID-Inception loader until `@vqrae/nn`'s `SafetensorsFile`
 * is available (same method names, so switching is a one-line import change). Reads only the header up front;
 * each tensor is read with one positioned read. F16/BF16 are widened to float32.
 */

/** One header entry of a safetensors file. */
export interface SafetensorsEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export class LocalSafetensorsFile {
  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    private readonly dataStart: number,
    private readonly entries: ReadonlyMap<string, SafetensorsEntry>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  /** Opens `path` and parses its header; throws a message naming the file on any format error. */
  static async open(path: string): Promise<LocalSafetensorsFile> {
    const handle = await open(path, 'r');
    try {
      const lengthBytes = Buffer.alloc(8);
      await handle.read(lengthBytes, 0, 8, 0);
      const headerLength = Number(lengthBytes.readBigUInt64LE(0));
      const { size } = await handle.stat();
      if (headerLength <= 0 || 8 + headerLength > size) {
        throw new Error(`safetensors '${path}': header length ${headerLength} does not fit a ${size}-byte file`);
      }
      const headerBytes = Buffer.alloc(headerLength);
      await handle.read(headerBytes, 0, headerLength, 8);
      const parsed: unknown = JSON.parse(headerBytes.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null) throw new Error(`safetensors '${path}': header is not an object`);
      const entries = new Map<string, SafetensorsEntry>();
      let metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
        if (name === '__metadata__') {
          metadata = value as Record<string, string>;
          continue;
        }
        const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
        const offsets = info.data_offsets;
        if (typeof info.dtype !== 'string' || !Array.isArray(info.shape) || !Array.isArray(offsets) || offsets.length !== 2) {
          throw new Error(`safetensors '${path}': malformed header entry '${name}'`);
        }
        entries.set(name, { dtype: info.dtype, shape: info.shape.map(Number), begin: Number(offsets[0]), end: Number(offsets[1]) });
      }
      return new LocalSafetensorsFile(handle, path, 8 + headerLength, entries, metadata);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Tensor names, optionally only those starting with `prefix`, sorted. */
  keys(prefix = ''): string[] {
    return [...this.entries.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** dtype and shape of `key`; throws naming the file when absent. */
  info(key: string): { dtype: string; shape: number[] } {
    const entry = this.entry(key);
    return { dtype: entry.dtype, shape: [...entry.shape] };
  }

  /** Raw bytes of `key` (little-endian, row-major). */
  async readBytes(key: string): Promise<Buffer> {
    const entry = this.entry(key);
    const bytes = Buffer.alloc(entry.end - entry.begin);
    await this.handle.read(bytes, 0, bytes.length, this.dataStart + entry.begin);
    return bytes;
  }

  /** Values of a floating-point tensor as float32 (F32 as is; F16/BF16/F64 converted). */
  async readFloat32(key: string): Promise<Float32Array> {
    const { dtype } = this.entry(key);
    const bytes = await this.readBytes(key);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dtype === 'F32') {
      const out = new Float32Array(bytes.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    if (dtype === 'F64') {
      const out = new Float32Array(bytes.length / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    if (dtype === 'BF16') {
      const out = new Float32Array(bytes.length / 2);
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < out.length; i++) {
        word.setUint32(0, view.getUint16(2 * i, true) << 16);
        out[i] = word.getFloat32(0);
      }
      return out;
    }
    if (dtype === 'F16') {
      const out = new Float32Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    throw new Error(`safetensors '${this.path}': tensor '${key}' has dtype ${dtype}, expected a float type`);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private entry(key: string): SafetensorsEntry {
    const entry = this.entries.get(key);
    if (!entry) throw new Error(`safetensors '${this.path}': no tensor named '${key}'`);
    return entry;
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
