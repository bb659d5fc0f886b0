/**
 * Makes a value safe and small for JSON files: typed arrays and long arrays become `{ type, length }`, objects with a
 * `dispose` method (tensors) become `{ type: 'tensor', shape }`, Errors become their message, deep nesting is cut.
 */
export function toJsonSafe(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Error) return { error: value.message };
  if (ArrayBuffer.isView(value)) return { type: value.constructor.name, length: value.byteLength };
  if (depth > 8) return '…';
  if (Array.isArray(value)) {
    return value.length > 100 ? { type: 'array', length: value.length } : value.map((v) => toJsonSafe(v, depth + 1));
  }
  const record = value as Record<string, unknown>;
  if (typeof record.dispose === 'function') return { type: 'tensor', shape: record.shape };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    const safe = toJsonSafe(v, depth + 1);
    if (safe !== undefined) out[k] = safe;
  }
  return out;
}
