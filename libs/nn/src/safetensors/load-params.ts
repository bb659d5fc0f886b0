/**
 * Streams a safetensors file into a ParamStore one tensor at a time (peak memory ≈ one tensor), after checking
 * every name and shape from the header alone.
 */
import type { LoadReport, ParamStore } from '../params/param-store.js';
import { shapeProblems } from './check-shapes.js';
import { isFloatDtype } from './dtypes.js';
import type { SafetensorsFile } from './reader.js';

/** Options of `loadSafetensorsInto`. */
export interface LoadSafetensorsOptions {
  /** strict: every store parameter in scope must come from the file and no file key in scope may be left over. */
  readonly strict: boolean;
  /** Store-side scope: only parameters whose names start with this prefix are loaded/expected (default ''). */
  readonly prefix?: string;
  /**
   * Maps a file key to its store name, or null to skip the key (default: identity). E.g. HF SigLIP keys
   * 'vision_model.x' → 'encoder.x', and null for 'text_model.*'.
   */
  readonly rename?: (fileKey: string) => string | null;
}

/**
 * Copies tensors from `file` into `store` (names via `rename`, scope `prefix`). Throws ONE error listing missing,
 * unexpected and shape-mismatched names (strict), or only mismatches (non-strict), before reading any data; then
 * refuses, naming the tensor, an integer-typed file tensor for a float parameter and any NaN/±Infinity value.
 */
export async function loadSafetensorsInto(store: ParamStore, file: SafetensorsFile, opts: LoadSafetensorsOptions): Promise<LoadReport> {
  const prefix = opts.prefix ?? '';
  const rename = opts.rename ?? ((key: string) => key);
  const sourceOf = new Map<string, string>();
  const actual: Record<string, number[]> = {};
  for (const key of file.keys()) {
    const name = rename(key);
    if (name === null || !name.startsWith(prefix)) continue;
    if (sourceOf.has(name)) throw new Error(`loadSafetensorsInto ${file.path}: keys '${sourceOf.get(name)}' and '${key}' both map to '${name}'`);
    sourceOf.set(name, key);
    actual[name] = file.info(key).shape;
  }
  const expected = store.shapes(prefix);
  const missing = Object.keys(expected).filter((k) => !(k in actual)).sort();
  const unexpected = Object.keys(actual).filter((k) => !(k in expected)).sort();
  const both = Object.keys(expected).filter((k) => k in actual);
  const problems = opts.strict
    ? shapeProblems(expected, actual)
    : shapeProblems(Object.fromEntries(both.map((k) => [k, expected[k]])), Object.fromEntries(both.map((k) => [k, actual[k]])));
  const scope = prefix === '' ? '' : ` (prefix '${prefix}')`;
  if (problems.length > 0) throw new Error(`loadSafetensorsInto ${file.path}${scope}: ${problems.join('; ')}`);
  const loaded: string[] = [];
  for (const name of both) {
    const key = sourceOf.get(name) as string;
    const { dtype } = file.info(key);
    if (store.get(name).dtype === 'float32' && !isFloatDtype(dtype)) {
      throw new Error(`loadSafetensorsInto ${file.path}: '${key}' is stored as ${dtype}; parameter '${name}' is float`);
    }
    const tensor = await file.readTensor(key, { requireFinite: true });
    try {
      store.assign(name, tensor);
    } finally {
      tensor.dispose();
    }
    loaded.push(name);
  }
  return { loaded, missing: opts.strict ? [] : missing, unexpected: opts.strict ? [] : unexpected };
}
