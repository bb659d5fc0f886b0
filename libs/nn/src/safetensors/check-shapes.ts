import { listNames } from '../params/names.js';

/**
 * Compares expected and actual name → shape maps and throws ONE error listing every missing, unexpected and
 * shape-mismatched key (prefixed by `context`, e.g. "load encoder from model.safetensors").
 */
export function checkShapes(
  expected: Readonly<Record<string, readonly number[]>>,
  actual: Readonly<Record<string, readonly number[]>>,
  context: string,
): void {
  const problems = shapeProblems(expected, actual);
  if (problems.length > 0) throw new Error(`${context}: ${problems.join('; ')}`);
}

/** The problem lines `checkShapes` would report (empty when everything matches). */
export function shapeProblems(
  expected: Readonly<Record<string, readonly number[]>>,
  actual: Readonly<Record<string, readonly number[]>>,
): string[] {
  const missing = Object.keys(expected).filter((k) => !(k in actual)).sort();
  const unexpected = Object.keys(actual).filter((k) => !(k in expected)).sort();
  const mismatched = Object.keys(expected)
    .filter((k) => k in actual && !sameShape(expected[k], actual[k]))
    .sort()
    .map((k) => `${k} expected [${expected[k].join(', ')}] got [${actual[k].join(', ')}]`);
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`${missing.length} missing key(s): ${listNames(missing)}`);
  if (unexpected.length > 0) problems.push(`${unexpected.length} unexpected key(s): ${listNames(unexpected)}`);
  if (mismatched.length > 0) problems.push(`${mismatched.length} shape mismatch(es): ${listNames(mismatched)}`);
  return problems;
}

/** True when two shapes are identical. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
