import type { DecodeMode } from '@vqrae/data';

/** Suffix of a result title computed from `fast`-decoded images ('' for `exact`, the reference protocol). */
export function decodeModeTitleSuffix(mode: DecodeMode): string {
  return mode === 'fast' ? ' [decode fast: not the reference protocol]' : '';
}

/**
 * The note printed when two statistics files were made from images decoded in different modes (`undefined`: the file
 * does not say, e.g. published statistics, which are exact decodes by convention); null when they agree.
 */
export function decodeModeMismatchNote(a: string | undefined, b: string | undefined, names: readonly [string, string]): string | null {
  const modeA = a ?? 'exact';
  const modeB = b ?? 'exact';
  if (modeA === modeB) return null;
  const say = (mode: string | undefined): string => mode ?? 'unrecorded, taken as exact';
  return `decode modes differ (${names[0]}: ${say(a)}, ${names[1]}: ${say(b)}): fast-decoded statistics are not the reference protocol; expect a small bias`;
}
