/** Human-readable inputs, outputs and metadata of an ONNX model (what `export-onnx` prints). */
import { DATA_TYPE_CODES, onnx } from './proto.js';

const TYPE_NAMES = new Map(Object.entries(DATA_TYPE_CODES).map(([name, code]) => [code, name]));

type ValueInfo = { name?: string | null; type?: { tensorType?: { elemType?: number | null; shape?: { dim?: { dimValue?: unknown; dimParam?: string | null }[] | null } | null } | null } | null };

function describeValue(info: ValueInfo): string {
  const tensor = info.type?.tensorType;
  const type = TYPE_NAMES.get(tensor?.elemType ?? -1) ?? `type ${tensor?.elemType}`;
  const dims = (tensor?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : String(Number(d.dimValue))));
  return `${info.name} ${type} [${dims.join(', ')}]`;
}

/** `inputs: pixels float32 [batch, 32, 32, 3]`, `outputs: …`, then one `metadata` line per key. */
export function describeOnnxModel(model: Uint8Array, metadata: Readonly<Record<string, string>>): string[] {
  const decoded = onnx.ModelProto.decode(model);
  const graph = decoded.graph;
  const opset = (decoded.opsetImport ?? []).map((o) => `${o.domain || 'ai.onnx'} ${Number(o.version)}`).join(', ');
  return [
    `opset: ${opset}; ${graph?.node?.length ?? 0} nodes, ${graph?.initializer?.length ?? 0} initializers`,
    `inputs: ${(graph?.input ?? []).map((i) => describeValue(i as ValueInfo)).join('; ')}`,
    `outputs: ${(graph?.output ?? []).map((o) => describeValue(o as ValueInfo)).join('; ')}`,
    ...Object.entries(metadata).map(([k, v]) => `metadata ${k}: ${v.length > 160 ? `${v.slice(0, 160)}…` : v}`),
  ];
}
