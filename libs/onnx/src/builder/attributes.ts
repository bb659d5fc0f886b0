/**
 * Typed node attributes. A JS number cannot say whether it is an ONNX INT or FLOAT, so every attribute is built with
 * one of these helpers: `{ axis: int(-1), epsilon: float(1e-6), perm: ints([0, 2, 1, 3]) }`.
 */
import { onnx } from './proto.js';
import type { OnnxGraphBuilder } from './graph-builder.js';

/** One attribute value with its ONNX type. */
export type AttributeValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'graph'; readonly value: OnnxGraphBuilder };

/** Attributes of one node by name. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** INT attribute (must be an integer). */
export function int(value: number): AttributeValue {
  if (!Number.isInteger(value)) throw new Error(`ONNX int attribute must be an integer, got ${value}`);
  return { kind: 'int', value };
}

/** FLOAT attribute (stored as float32). */
export function float(value: number): AttributeValue {
  return { kind: 'float', value };
}

/** INTS attribute. */
export function ints(value: readonly number[]): AttributeValue {
  const bad = value.find((v) => !Number.isInteger(v));
  if (bad !== undefined) throw new Error(`ONNX ints attribute must hold integers, got ${bad}`);
  return { kind: 'ints', value };
}

/** FLOATS attribute. */
export function floats(value: readonly number[]): AttributeValue {
  return { kind: 'floats', value };
}

/** STRING attribute (UTF-8). */
export function str(value: string): AttributeValue {
  return { kind: 'string', value };
}

/** GRAPH attribute (a subgraph, e.g. a Loop or If body), built by `OnnxGraphBuilder.subgraph()`. */
export function graph(value: OnnxGraphBuilder): AttributeValue {
  return { kind: 'graph', value };
}

const TYPE = onnx.AttributeProto.AttributeType;

/** Attribute record → AttributeProto list (subgraphs through `toGraph`). */
export function attributeProtos(attrs: Attributes, toGraph: (g: OnnxGraphBuilder) => InstanceType<typeof onnx.GraphProto>) {
  return Object.entries(attrs).map(([name, a]) => {
    switch (a.kind) {
      case 'int':
        return onnx.AttributeProto.create({ name, type: TYPE.INT, i: a.value });
      case 'float':
        return onnx.AttributeProto.create({ name, type: TYPE.FLOAT, f: a.value });
      case 'ints':
        return onnx.AttributeProto.create({ name, type: TYPE.INTS, ints: [...a.value] });
      case 'floats':
        return onnx.AttributeProto.create({ name, type: TYPE.FLOATS, floats: [...a.value] });
      case 'string':
        return onnx.AttributeProto.create({ name, type: TYPE.STRING, s: new TextEncoder().encode(a.value) });
      case 'graph':
        return onnx.AttributeProto.create({ name, type: TYPE.GRAPH, g: toGraph(a.value) });
    }
  });
}
