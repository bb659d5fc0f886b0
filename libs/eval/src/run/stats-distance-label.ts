import { frechetLabel, type FeatureSpace } from '../fid/feature-space.js';
import type { StatsFile } from '../stats/stats-file.js';
import { decodeModeMismatchNote } from './decode-mode-label.js';

/**
 * The label a distance between two statistics files may carry: `FID[variant]` only when both are FID-Inception
 * (or unlabelled published files, stated as an assumption); `FD[name]` for one shared named space; otherwise an error
 * naming both spaces. The notes say what the number assumes (decode modes, unlabelled files, input variants).
 */
export function statsDistanceLabel(a: StatsFile, b: StatsFile, files: readonly [string, string]): { label: string; notes: string[] } {
  const decode = decodeModeMismatchNote(a.decodeMode, b.decodeMode, files);
  const notes: string[] = decode ? [decode] : [];
  const describe = (s: FeatureSpace | undefined): string => (s === undefined ? 'unlabelled' : s.kind === 'named' ? `named '${s.name}'` : `fid-inception (${s.variant})`);
  const named = [a.featureSpace, b.featureSpace].filter((s): s is Extract<FeatureSpace, { kind: 'named' }> => s?.kind === 'named');
  if (named.length > 0) {
    if (named.length !== 2 || named[0].name !== named[1].name) {
      throw new Error(`feature spaces differ (${files[0]}: ${describe(a.featureSpace)}, ${files[1]}: ${describe(b.featureSpace)}); a distance between them means nothing`);
    }
    return { label: frechetLabel(named[0], 'generation'), notes: ['named feature space: NOT FID, not comparable with published FID/rFID', ...notes] };
  }
  const variants = [a.featureSpace, b.featureSpace].map((s) => (s?.kind === 'fid-inception' ? s.variant : undefined));
  if (variants.includes(undefined)) notes.push('unlabelled statistics (published pytorch-fid/ADM format) are assumed to be FID-Inception pool3');
  const known = variants.filter((v): v is NonNullable<typeof v> => v !== undefined);
  if (known.length === 2 && known[0] !== known[1]) notes.push(`input variants differ (${known[0]} vs ${known[1]}): expect differences in the 2nd–3rd significant digit`);
  return { label: known.length === 2 && known[0] === known[1] ? `FID[${known[0]}]` : 'FID', notes };
}

