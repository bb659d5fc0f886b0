/**
 * `vqrae train --quantizer simvq|vq --codebook-size N --codebook-dim N`: the quantizer factors of a stage-1 run that
 * differ from its preset (the ablation grid's cells). Applied when a fresh model is built; a model that comes from a
 * checkpoint (`--resume`, `--init`, stage 2 `--from`) must already have them, or the run is refused.
 */
import { quantizerKind, type QuantizerConfig } from '@vqrae/tokenizer';

/** Quantizer factors overriding the preset's (each absent = the preset's). */
export interface QuantizerOverride {
  /** Quantizer variant (absent: the preset's, i.e. SimVQ). */
  readonly kind?: 'simvq' | 'vq';
  readonly codebookSize?: number;
  readonly codebookDim?: number;
}

/** A quantizer override was refused (it contradicts the checkpoint a run starts from): a usage mistake. */
export class QuantizerOverrideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantizerOverrideError';
  }
}

/**
 * The preset's quantizer with `override` applied. `codebookInitStd` follows a new dim (e^-0.5, SimVQ's rule) when the
 * preset's value is that rule for its own dim (every shipped preset); a preset with any other explicit std keeps it.
 * `kind` is written only for `vq` (absent = simvq), so a SimVQ override leaves checkpoints as they were.
 */
export function applyQuantizerOverride(base: QuantizerConfig, override: QuantizerOverride | null | undefined): QuantizerConfig {
  if (!override) return base;
  for (const key of ['codebookSize', 'codebookDim'] as const) {
    const value = override[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new QuantizerOverrideError(`quantizer override: ${key} must be a positive integer, got ${value}`);
  }
  const codebookDim = override.codebookDim ?? base.codebookDim;
  const stdFollowsDim = Math.abs(base.codebookInitStd - base.codebookDim ** -0.5) <= 1e-12 * base.codebookInitStd;
  const kind = override.kind ?? quantizerKind(base);
  const { kind: _baseKind, ...rest } = base;
  const result: QuantizerConfig = {
    ...(kind === 'vq' ? { kind } : {}),
    ...rest,
    codebookSize: override.codebookSize ?? base.codebookSize,
    codebookDim,
    codebookInitStd: stdFollowsDim ? codebookDim ** -0.5 : base.codebookInitStd,
  };
  return result;
}

/** Each factor of `override` that `actual` (a checkpoint's quantizer) contradicts, as `codebookDim 96 (wanted 48)`. */
export function quantizerMismatches(override: QuantizerOverride | null | undefined, actual: QuantizerConfig): string[] {
  if (!override) return [];
  const problems: string[] = [];
  if (override.kind !== undefined && override.kind !== quantizerKind(actual)) problems.push(`kind ${quantizerKind(actual)} (wanted ${override.kind})`);
  if (override.codebookSize !== undefined && override.codebookSize !== actual.codebookSize) problems.push(`codebookSize ${actual.codebookSize} (wanted ${override.codebookSize})`);
  if (override.codebookDim !== undefined && override.codebookDim !== actual.codebookDim) problems.push(`codebookDim ${actual.codebookDim} (wanted ${override.codebookDim})`);
  return problems;
}

/** Throws a QuantizerOverrideError naming `where` when the checkpoint's quantizer contradicts `override`. */
export function assertQuantizerMatches(override: QuantizerOverride | null | undefined, actual: QuantizerConfig, where: string): void {
  const problems = quantizerMismatches(override, actual);
  if (problems.length > 0) throw new QuantizerOverrideError(`${where}: its quantizer has ${problems.join(', ')}; drop the quantizer flags or start from a matching checkpoint`);
}
