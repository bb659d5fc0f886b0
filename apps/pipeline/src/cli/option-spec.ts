/**
 * Typed option specs: one declaration per option drives the commander flag, the check of config-file values and the
 * type of the resolved options a command receives.
 */

interface BaseSpec<V> {
  readonly description: string;
  readonly default?: V;
  /** Flag name when it is not the kebab-case of the key, e.g. `out` for key `runFolder`. */
  readonly flag?: string;
  /** Placeholder in help, e.g. `<n>`. */
  readonly placeholder?: string;
  /** Not settable from a config file (only `--config` itself). */
  readonly cliOnly?: boolean;
}

export interface IntSpec extends BaseSpec<number> {
  readonly kind: 'int';
  readonly min?: number;
  readonly max?: number;
}
export interface NumberSpec extends BaseSpec<number> {
  readonly kind: 'number';
  readonly min?: number;
  readonly max?: number;
}
export interface StringSpec extends BaseSpec<string> {
  readonly kind: 'string';
  readonly choices?: readonly string[];
}
export interface BooleanSpec extends BaseSpec<boolean> {
  readonly kind: 'boolean';
}
/** A filesystem path; `mustExist` is checked after flags and config are merged. Relative paths resolve from cwd. */
export interface PathSpec extends BaseSpec<string> {
  readonly kind: 'path';
  readonly mustExist?: 'file' | 'dir';
  /** A checkpoint argument: a value that is not an existing path may name a shipped checkpoint (see checkpoint-argument.ts). */
  readonly shipped?: boolean;
}

export type OptionSpec = IntSpec | NumberSpec | StringSpec | BooleanSpec | PathSpec;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S extends IntSpec | NumberSpec ? number : S extends BooleanSpec ? boolean : string;

/** The resolved options of a spec: options with a default are always set, the others may be undefined. */
export type ResolvedOptions<S extends OptionSpecs> = {
  readonly [K in keyof S]: S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/** Where each resolved value came from (saved in config.json); `call`: given by code running the command as a function. */
export type ValueSource = 'default' | 'config' | 'cli' | 'call';

export const intOption = <const S extends Omit<IntSpec, 'kind'>>(spec: S): S & { kind: 'int' } => ({ ...spec, kind: 'int' });
export const numberOption = <const S extends Omit<NumberSpec, 'kind'>>(spec: S): S & { kind: 'number' } => ({ ...spec, kind: 'number' });
export const stringOption = <const S extends Omit<StringSpec, 'kind'>>(spec: S): S & { kind: 'string' } => ({ ...spec, kind: 'string' });
export const booleanOption = <const S extends Omit<BooleanSpec, 'kind'>>(spec: S): S & { kind: 'boolean' } => ({ ...spec, kind: 'boolean' });
export const pathOption = <const S extends Omit<PathSpec, 'kind'>>(spec: S): S & { kind: 'path' } => ({ ...spec, kind: 'path' });

/** `imageSize` → `image-size`. */
export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The flag (without dashes) of an option. */
export function flagName(key: string, spec: OptionSpec): string {
  return spec.flag ?? kebabCase(key);
}

/**
 * Checks one value against its spec and returns it typed, or a reason it is invalid (`must be an integer ≥ 1`).
 * `fromText` parses CLI text (`'12'` → 12); config-file values must already have the right JSON/YAML type.
 */
export function checkValue(spec: OptionSpec, value: unknown, fromText: boolean): { ok: true; value: unknown } | { ok: false; reason: string } {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const n = fromText && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      const what = spec.kind === 'int' ? 'an integer' : 'a number';
      if (typeof n !== 'number' || !Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) {
        return { ok: false, reason: `must be ${what}` };
      }
      if (spec.kind === 'int') {
        // `1e3` and `0x10` parse as integers but are not how anyone writes a count; a typo there should not pass.
        if (fromText && typeof value === 'string' && !/^\s*[+-]?\d+\s*$/.test(value)) return { ok: false, reason: 'must be an integer written in digits' };
        // Above 2^53 integers lose their last digits (99999999999999999999 would be recorded as 1e20).
        if (!Number.isSafeInteger(n)) return { ok: false, reason: `must be a safe integer (at most ${Number.MAX_SAFE_INTEGER})` };
      }
      if (spec.min !== undefined && n < spec.min) return { ok: false, reason: `must be ${what} ≥ ${spec.min}` };
      if (spec.max !== undefined && n > spec.max) return { ok: false, reason: `must be ${what} ≤ ${spec.max}` };
      return { ok: true, value: n };
    }
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, reason: 'must be true or false' };
    case 'string':
      if (typeof value !== 'string') return { ok: false, reason: 'must be a string' };
      if (spec.choices && !spec.choices.includes(value)) return { ok: false, reason: `must be one of ${spec.choices.join(', ')}` };
      return { ok: true, value };
    case 'path':
      return typeof value === 'string' && value !== '' ? { ok: true, value } : { ok: false, reason: 'must be a path (string)' };
  }
}

/** `"abc"`, `12`, `[1,2]` for error messages. */
export function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return `${Array.isArray(value) ? 'list' : value === null ? 'null' : typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
