/**
 * Parameters addressed by checkpoint names. Trainable entries are `tf.Variable`s (trainable=true) so that
 * `tf.variableGrads` and the optimiser see them; frozen entries are plain tensors and never get optimiser state.
 *
 * Ownership: the store owns every tensor it holds. `add` takes ownership of the given tensor; `get` and
 * `toNamedTensors` return views that stay valid until the entry is replaced (`assign`/`load` on a frozen entry,
 * `setTrainable`) or the store is disposed; `clone` returns an independent store.
 */
import * as tf from '@tensorflow/tfjs-core';
import { shapeProblems, sameShape } from '../safetensors/check-shapes.js';
import { listNames, nearestNames } from './names.js';

/** Selects parameters by name prefix or predicate. */
export type NameSelector = string | ((name: string) => boolean);

/** Options for `ParamStore.load`. */
export interface LoadOptions {
  /** strict: every store parameter in scope must be provided and no extra keys in scope may appear. */
  readonly strict: boolean;
  /**
   * Scope: only store parameters whose names start with `prefix` are loaded, and only keys of `named` with that
   * prefix are considered (others are ignored). Keys are full store names (not stripped). Default '' (everything).
   */
  readonly prefix?: string;
}

/** What `load` did (strict loads either load everything in scope or throw). */
export interface LoadReport {
  readonly loaded: string[];
  readonly missing: string[];
  readonly unexpected: string[];
}

interface Entry {
  tensor: tf.Tensor;
  trainable: boolean;
}

function matches(selector: NameSelector, name: string): boolean {
  return typeof selector === 'string' ? name.startsWith(selector) : selector(name);
}

function asDtype(value: tf.Tensor, dtype: tf.DataType): tf.Tensor {
  return value.dtype === dtype ? tf.clone(value) : tf.cast(value, dtype);
}

/** Named parameter tree (flat map from checkpoint key to tensor). */
export class ParamStore {
  private readonly entries = new Map<string, Entry>();

  /** Adds a parameter and takes ownership of `value` (do not dispose it afterwards). Default trainable = true. */
  add(name: string, value: tf.Tensor, opts: { trainable?: boolean } = {}): void {
    if (this.entries.has(name)) throw new Error(`ParamStore.add: parameter '${name}' already exists`);
    if (value.isDisposed) throw new Error(`ParamStore.add: tensor for '${name}' is already disposed`);
    const trainable = opts.trainable ?? true;
    this.entries.set(name, { tensor: trainable ? this.toVariable(value) : value, trainable });
  }

  /** The tensor stored under `name` (a view owned by the store). Throws, suggesting near names, when missing. */
  get(name: string): tf.Tensor {
    const entry = this.entries.get(name);
    if (entry === undefined) {
      const near = nearestNames(name, this.entries.keys());
      throw new Error(`ParamStore.get: no parameter '${name}' (${this.entries.size} parameters; nearest: ${near.join(', ') || 'none'})`);
    }
    return entry.tensor;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Whether `name` is trainable (a tf.Variable). */
  isTrainable(name: string): boolean {
    this.get(name);
    return this.entries.get(name)?.trainable ?? false;
  }

  /** Parameter names (insertion order), optionally only those starting with `prefix`. */
  names(prefix = ''): string[] {
    return [...this.entries.keys()].filter((n) => n.startsWith(prefix));
  }

  /** Freezes (trainable=false → plain tensor) or unfreezes (→ tf.Variable) every selected parameter. */
  setTrainable(selector: NameSelector, trainable: boolean): void {
    for (const [name, entry] of this.entries) {
      if (!matches(selector, name) || entry.trainable === trainable) continue;
      const old = entry.tensor;
      entry.tensor = trainable ? this.toVariable(tf.clone(old)) : tf.clone(old);
      entry.trainable = trainable;
      old.dispose();
    }
  }

  /** Trainable parameters as name → tf.Variable (views). */
  trainableVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, entry] of this.entries) if (entry.trainable) out.set(name, entry.tensor as tf.Variable);
    return out;
  }

  /** Copies `value` into parameter `name` (shape checked, cast to the parameter's dtype). Caller keeps `value`. */
  assign(name: string, value: tf.Tensor): void {
    const entry = this.entries.get(name);
    if (entry === undefined) this.get(name);
    const target = entry as Entry;
    if (!sameShape(target.tensor.shape, value.shape)) {
      throw new Error(`ParamStore.assign: '${name}' has shape [${target.tensor.shape.join(', ')}], got [${value.shape.join(', ')}]`);
    }
    const copy = asDtype(value, target.tensor.dtype);
    if (target.trainable) {
      (target.tensor as tf.Variable).assign(copy);
      copy.dispose();
    } else {
      target.tensor.dispose();
      target.tensor = copy;
    }
  }

  /**
   * Copies values from `named` (caller keeps ownership). With `strict`, throws ONE error listing missing,
   * unexpected and shape-mismatched keys before changing anything; shape mismatches always throw.
   */
  load(named: Readonly<Record<string, tf.Tensor>>, opts: LoadOptions): LoadReport {
    const prefix = opts.prefix ?? '';
    const expected: Record<string, number[]> = {};
    for (const name of this.names(prefix)) expected[name] = this.get(name).shape;
    const actual: Record<string, number[]> = {};
    for (const [key, value] of Object.entries(named)) if (key.startsWith(prefix)) actual[key] = value.shape;
    const missing = Object.keys(expected).filter((k) => !(k in actual)).sort();
    const unexpected = Object.keys(actual).filter((k) => !(k in expected)).sort();
    const scope = prefix === '' ? '' : ` (prefix '${prefix}')`;
    if (opts.strict) {
      const problems = shapeProblems(expected, actual);
      if (problems.length > 0) throw new Error(`ParamStore.load${scope}: ${problems.join('; ')}`);
    } else {
      const both = Object.keys(expected).filter((k) => k in actual);
      const subsetExpected = Object.fromEntries(both.map((k) => [k, expected[k]]));
      const subsetActual = Object.fromEntries(both.map((k) => [k, actual[k]]));
      const problems = shapeProblems(subsetExpected, subsetActual);
      if (problems.length > 0) throw new Error(`ParamStore.load${scope}: ${problems.join('; ')}`);
    }
    const loaded: string[] = [];
    for (const key of Object.keys(actual)) {
      if (!(key in expected)) continue;
      this.assign(key, named[key]);
      loaded.push(key);
    }
    return { loaded, missing: opts.strict ? [] : missing, unexpected: opts.strict ? [] : unexpected };
  }

  /** All parameters as name → tensor views (not copies), e.g. for checkpoint writing. */
  toNamedTensors(prefix = ''): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const name of this.names(prefix)) out[name] = this.get(name);
    return out;
  }

  /** name → shape. */
  shapes(prefix = ''): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const name of this.names(prefix)) out[name] = [...this.get(name).shape];
    return out;
  }

  /** Total element count (optionally trainable parameters only). */
  numParams(opts: { trainableOnly?: boolean } = {}): number {
    let total = 0;
    for (const entry of this.entries.values()) if (!opts.trainableOnly || entry.trainable) total += entry.tensor.size;
    return total;
  }

  /** Deep copy of the parameters under `prefix` (names and trainable flags kept). */
  clone(prefix = ''): ParamStore {
    const copy = new ParamStore();
    for (const name of this.names(prefix)) {
      const entry = this.entries.get(name) as Entry;
      copy.add(name, tf.clone(entry.tensor), { trainable: entry.trainable });
    }
    return copy;
  }

  /** Removes and disposes the selected parameters; returns their names. */
  remove(selector: NameSelector): string[] {
    const removed: string[] = [];
    for (const [name, entry] of [...this.entries]) {
      if (!matches(selector, name)) continue;
      entry.tensor.dispose();
      this.entries.delete(name);
      removed.push(name);
    }
    return removed;
  }

  /** Disposes every tensor; the store is empty afterwards. */
  dispose(): void {
    for (const entry of this.entries.values()) entry.tensor.dispose();
    this.entries.clear();
  }

  /** Human-readable summary line per parameter. */
  describe(prefix = ''): string {
    return listNames(
      this.names(prefix).map((n) => `${n} [${this.get(n).shape.join(', ')}]${this.entries.get(n)?.trainable ? '' : ' (frozen)'}`),
      Number.POSITIVE_INFINITY,
    );
  }

  private toVariable(value: tf.Tensor): tf.Variable {
    const source = value.dtype === 'float32' ? value : tf.cast(value, 'float32');
    const variable = tf.variable(source, true); // shares the data buffer (ref-counted)
    if (source !== value) source.dispose();
    value.dispose();
    return variable;
  }
}
