import { UsageError } from './errors.js';

/**
 * Parses the text of an integer flag that is no int option spec (`init`, `shards check --concurrency <n|auto>`): digits
 * only, a safe integer (≤ 2^53 − 1, so `99999999999999999999` is refused rather than rounded to 1e20), at least
 * `min`. Throws a UsageError naming the flag and the text.
 */
export function parseIntFlag(text: string, flag: string, min = 0): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new UsageError(`${flag} must be an integer ≥ ${min} written in digits, got '${text}'`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new UsageError(`${flag} must be a safe integer (at most ${Number.MAX_SAFE_INTEGER}), got '${text}'`);
  if (value < min) throw new UsageError(`${flag} must be an integer ≥ ${min}, got '${text}'`);
  return value;
}
