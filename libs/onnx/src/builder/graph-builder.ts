/**
 * A small typed builder for ONNX graphs: named inputs/outputs (symbolic dims such as `'batch'`), initializers from
 * typed arrays, int64/int32 constants, nodes with typed attributes, subgraphs (Loop/If bodies), and one compute
 * precision for the whole graph.
 *
 * Precision 'float16': float weights and float constants are stored as float16 (unless a weight asks to stay
 * float32), a declared float32 input is cast to float16 right after it, and a declared float32 output is cast back,
 * so callers always feed and read float32 while the graph computes in float16. Value names returned by the builder
 * are what later nodes take as inputs; names are unique per model (subgraphs share the counter of their root).
 */
import { type Attributes, attributeProtos } from './attributes.js';
import { BYTES_PER_ELEMENT, DATA_TYPE_CODES, type Dim, type OnnxDataType, onnx } from './proto.js';
import { f32ToF16 } from '@vqrae/nn';

/** Element type float tensors are computed in. */
export type Precision = 'float32' | 'float16';

/** One initializer: raw little-endian bytes of `dims` elements of `dtype`. */
export interface Initializer {
  readonly name: string;
  readonly dtype: OnnxDataType;
  readonly dims: readonly number[];
  readonly bytes: Uint8Array;
}

/** Options of a node. */
export interface NodeOptions {
  /** Operator domain ('' = the default ONNX domain, e.g. 'com.microsoft'). */
  readonly domain?: string;
  /** Node name (default: derived from the op type). */
  readonly name?: string;
}

type NodeProto = InstanceType<typeof onnx.NodeProto>;
type ValueInfoProto = InstanceType<typeof onnx.ValueInfoProto>;
type GraphProto = InstanceType<typeof onnx.GraphProto>;

/** Little-endian byte view of a typed array (this project runs on little-endian hosts only; checked in `model.ts`). */
function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** ValueInfo of a tensor with a (partly symbolic) shape. */
export function tensorValueInfo(name: string, dtype: OnnxDataType, shape: readonly Dim[]): ValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DATA_TYPE_CODES[dtype], shape: { dim } } } });
}

/** Builder of one ONNX graph (the model's main graph, or a subgraph made by `subgraph`). */
export class OnnxGraphBuilder {
  readonly precision: Precision;
  /** Whether this is a model's main graph (false for subgraphs). */
  readonly isRoot: boolean;
  private readonly nodes: NodeProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  /** Initializers of the whole model: subgraphs add theirs to the root's map (outer-scope values). */
  private readonly initializerMap: Map<string, Initializer>;
  private readonly names: Set<string>;
  private readonly counter: { next: number };

  /** A main graph named `name` (`shared` is internal: `subgraph()` passes the root's tables). */
  constructor(
    readonly name: string,
    opts: { precision?: Precision } = {},
    shared?: { initializers: Map<string, Initializer>; names: Set<string>; counter: { next: number } },
  ) {
    this.precision = opts.precision ?? 'float32';
    this.initializerMap = shared?.initializers ?? new Map();
    this.names = shared?.names ?? new Set();
    this.counter = shared?.counter ?? { next: 0 };
    this.isRoot = shared === undefined;
  }

  /** ONNX type code of the compute precision (for Cast `to`). */
  get floatCode(): number {
    return DATA_TYPE_CODES[this.precision];
  }

  /**
   * A fresh value name starting with `prefix`, unused so far and never returned again (names are registered when a
   * value is defined under them: input, output, initializer, node output).
   */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter.next++}`;
    while (this.names.has(name));
    return name;
  }

  /**
   * Declares a graph input; returns the value name later nodes read. A float32 input of a float16 main graph is
   * followed by a Cast to float16 and the cast's output is returned.
   */
  input(name: string, dtype: OnnxDataType, shape: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push(tensorValueInfo(name, dtype, shape));
    if (this.isRoot && dtype === 'float32' && this.precision === 'float16') return this.node('Cast', [name], { to: { kind: 'int', value: this.floatCode } });
    return name;
  }

  /**
   * Declares `value` as graph output `name` of type `dtype`. A float32 output of a float16 main graph is produced by
   * a Cast from the compute precision; otherwise by an Identity (ORT removes it).
   */
  output(name: string, value: string, dtype: OnnxDataType, shape: readonly Dim[]): void {
    this.claim(name);
    const cast = this.isRoot && dtype === 'float32' && this.precision === 'float16';
    this.nodes.push(
      onnx.NodeProto.create({
        opType: cast ? 'Cast' : 'Identity',
        input: [value],
        output: [name],
        name: `${name}_out`,
        attribute: cast ? attributeProtos({ to: { kind: 'int', value: DATA_TYPE_CODES.float32 } }, (g) => g.toGraphProto()) : [],
      }),
    );
    this.outputs.push(tensorValueInfo(name, dtype, shape));
  }

  /** Adds an initializer from raw bytes (low level; prefer `weight`, `floatConstant`, `int64`). Returns its name. */
  initializer(name: string, dtype: OnnxDataType, dims: readonly number[], bytes: Uint8Array): string {
    this.claim(name);
    return this.store(name, dtype, dims, bytes);
  }

  /**
   * A float weight from float32 values, stored in the compute precision (float16 graphs: converted, round to
   * nearest even) unless `keepFloat32` (then the caller must cast where float16 values meet it). A float32 weight
   * keeps a view of `values` (no copy: a so400m export holds gigabytes): do not modify it afterwards.
   */
  weight(name: string, values: Float32Array, dims: readonly number[], opts: { keepFloat32?: boolean } = {}): string {
    this.claim(name);
    return this.storeFloat(name, values, dims, opts.keepFloat32 ?? false);
  }

  /** An auto-named float constant in the compute precision, or float32 with `keepFloat32` (scalars: `dims` = []). */
  floatConstant(values: readonly number[] | Float32Array, dims: readonly number[] = [], opts: { prefix?: string; keepFloat32?: boolean } = {}): string {
    return this.storeFloat(this.fresh(opts.prefix ?? 'const'), Float32Array.from(values), dims, opts.keepFloat32 ?? false);
  }

  /** An auto-named int64 constant (shapes, axes, indices); `dims` defaults to a 1-D tensor of the values. */
  int64(values: readonly number[], dims: readonly number[] = [values.length], prefix = 'i64'): string {
    return this.store(this.fresh(prefix), 'int64', dims, bytesOf(BigInt64Array.from(values.map((v) => BigInt(v)))));
  }

  /** An auto-named int32 constant. */
  int32(values: readonly number[], dims: readonly number[] = [values.length], prefix = 'i32'): string {
    return this.store(this.fresh(prefix), 'int32', dims, bytesOf(Int32Array.from(values)));
  }

  private storeFloat(name: string, values: Float32Array, dims: readonly number[], keepFloat32: boolean): string {
    if (values.length !== elementCount(dims)) throw new Error(`OnnxGraphBuilder: weight '${name}' has ${values.length} values for [${dims.join(', ')}]`);
    if (this.precision === 'float16' && !keepFloat32) return this.store(name, 'float16', dims, bytesOf(f32ToF16(values)));
    return this.store(name, 'float32', dims, bytesOf(values));
  }

  private store(name: string, dtype: OnnxDataType, dims: readonly number[], bytes: Uint8Array): string {
    const expected = elementCount(dims) * BYTES_PER_ELEMENT[dtype];
    if (bytes.byteLength !== expected) {
      throw new Error(`OnnxGraphBuilder: initializer '${name}' ${dtype} [${dims.join(', ')}] needs ${expected} bytes, got ${bytes.byteLength}`);
    }
    this.names.add(name);
    this.initializerMap.set(name, { name, dtype, dims: [...dims], bytes });
    return name;
  }

  /** Adds a node with one output; returns the output's value name. */
  node(opType: string, inputs: readonly string[], attrs: Attributes = {}, opts: NodeOptions = {}): string {
    return this.nodeOutputs(opType, inputs, 1, attrs, opts)[0];
  }

  /** Adds a node with `count` outputs; returns their value names. Empty strings in `inputs` mark omitted optional inputs. */
  nodeOutputs(opType: string, inputs: readonly string[], count: number, attrs: Attributes = {}, opts: NodeOptions = {}): string[] {
    const outputs = Array.from({ length: count }, () => this.fresh(opType));
    for (const output of outputs) this.names.add(output);
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        domain: opts.domain ?? '',
        name: opts.name ?? `${outputs[0]}_node`,
        input: [...inputs],
        output: outputs,
        attribute: attributeProtos(attrs, (g) => g.toGraphProto()),
      }),
    );
    return outputs;
  }

  /** A subgraph (Loop/If body) sharing this model's names and initializers; it may read any value of its parents. */
  subgraph(name: string): OnnxGraphBuilder {
    return new OnnxGraphBuilder(name, { precision: this.precision }, { initializers: this.initializerMap, names: this.names, counter: this.counter });
  }

  /** Initializers of the whole model, in insertion order. */
  initializers(): Initializer[] {
    return [...this.initializerMap.values()];
  }

  /** Total initializer bytes of the whole model. */
  initializerBytes(): number {
    let total = 0;
    for (const init of this.initializerMap.values()) total += init.bytes.byteLength;
    return total;
  }

  /** This graph as a GraphProto WITHOUT initializers (the model serializer attaches them to the main graph). */
  toGraphProto(): GraphProto {
    return onnx.GraphProto.create({ name: this.name, node: this.nodes, input: this.inputs, output: this.outputs });
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`OnnxGraphBuilder: value name '${name}' is already used`);
    this.names.add(name);
  }
}
