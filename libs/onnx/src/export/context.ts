/**
 * What every exporter step shares: the graph being built and read access to the model's parameters (by checkpoint
 * name, as float32 host arrays), plus a cache of scalar constants.
 */
import type { ParamStore } from '@vqrae/nn';
import type { OnnxGraphBuilder } from '../builder/graph-builder.js';

/** Export-time state of one graph. */
export class ExportContext {
  private readonly scalars = new Map<number, string>();

  constructor(
    readonly g: OnnxGraphBuilder,
    private readonly store: ParamStore,
  ) {}

  /** Values of parameter `name` (a host copy). */
  read(name: string): Float32Array {
    const t = this.store.get(name);
    if (t.dtype !== 'float32') throw new Error(`onnx export: parameter '${name}' is ${t.dtype}, expected float32`);
    return t.dataSync() as Float32Array;
  }

  /** Shape of parameter `name`. */
  shape(name: string): number[] {
    return [...this.store.get(name).shape];
  }

  /** A float scalar constant in the compute precision (one initializer per value). */
  scalar(value: number): string {
    let name = this.scalars.get(value);
    if (name === undefined) {
      name = this.g.floatConstant([value], [], { prefix: 'scalar' });
      this.scalars.set(value, name);
    }
    return name;
  }

  /** Parameter `name` stored as an initializer under its checkpoint name (values unchanged). */
  param(name: string, opts: { keepFloat32?: boolean } = {}): string {
    return this.g.weight(name, this.read(name), this.shape(name), opts);
  }

  /** A 2-D parameter `[out, in]` stored transposed `[in, out]` as `<name>^T` (for MatMul x·Wᵀ). */
  paramTransposed(name: string): string {
    const [rows, cols] = this.shape(name);
    return this.g.weight(`${name}^T`, transpose2d(this.read(name), rows, cols), [cols, rows]);
  }
}

/** Row-major `[rows, cols]` → `[cols, rows]` (host copy). */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[base + c];
  }
  return out;
}
