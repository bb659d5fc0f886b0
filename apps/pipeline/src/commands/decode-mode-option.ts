import { DECODE_MODES, type DecodeMode } from '@vqrae/data';
import { stringOption } from '../cli/option-spec.js';

const describe = (use: string): string => `image decoding: fast (shrink-on-load for large JPEG/WebP) or exact (${use})`;

/**
 * `--decode-mode fast|exact` (README "Decode modes"): `fast` decodes large JPEG/WebP at reduced scale (within
 * `FAST_DECODE_CONTRACT` of exact), `exact` decodes every image in full (bit for bit with the reference tools).
 * Throughput commands (training, token/feature dumps, shards check) default to `fast`.
 */
export const DECODE_MODE_FAST_DEFAULT = stringOption({ description: describe('default fast: throughput'), choices: [...DECODE_MODES], default: 'fast' });

/** `--decode-mode` for evaluation protocols: default `exact` (metrics match reference tools bit for bit). */
export const DECODE_MODE_EXACT_DEFAULT = stringOption({ description: describe('default exact: metrics match reference tools'), choices: [...DECODE_MODES], default: 'exact' });

/** The parsed option value (the parser has already enforced the choices). */
export function decodeModeOf(value: string): DecodeMode {
  return value === 'fast' ? 'fast' : 'exact';
}

