import fs from 'node:fs/promises';
import path from 'node:path';
import { type FeatureSpace } from '../fid/feature-space.js';
import { CodebookUsage } from '../metrics/codebook-usage.js';
import { type FeatureMoments } from '../stats/feature-moments.js';
import { readNpzArrays, writeNpz } from '../stats/npz.js';
import { readMomentsNpz, writeMomentsNpz } from '../stats/stats-file.js';
import type { DecodeMode } from '@vqrae/data';
import { writeFileAtomic } from '@vqrae/graph';
import { SafetensorsFile } from '@vqrae/nn';

/** Crop protocols `vqrae eval` accepts (model-spec §8.1 uses `adm`). */
export type EvalCrop = 'adm' | 'center';

/** File name of the per-run record `merge-eval` reads. */
export const EVAL_PARTIAL_FILE = 'eval-partial.json';
export const EVAL_PARTIAL_FORMAT = 'vqrae.eval-partial/1';

/** Everything that must agree between the ranks of one evaluation (checked by `merge-eval`). */
export interface EvalIdentity {
  readonly checkpoint: string;
  readonly checkpointSha256: string;
  readonly preset: string;
  /** The checkpoint's `vqrae.weights` metadata (`ema` for `vqrae train` exports), or `unrecorded`. */
  readonly weights: string;
  readonly data: string;
  readonly crop: EvalCrop;
  /** Image decode mode (README "Decode modes"); absent in partials written before it existed (= `exact`). */
  readonly decodeMode?: DecodeMode;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly codebookSize: number;
  readonly tokensPerImage: number;
  readonly uint8Rounding: 'round-half-up';
  /** SSIM variant names; the first is the `ssim` column. */
  readonly ssim: readonly string[];
  /** Feature space of the Fréchet statistics (null: not computed). */
  readonly featureSpace: FeatureSpace | null;
  /** `--reference-stats` file, when the run scores against published statistics instead of its own references. */
  readonly referenceStats: string | null;
}

/** `eval-partial.json`: one rank's (or a single process's) mergeable results. Paths are relative to its folder. */
export interface EvalPartial {
  readonly format: typeof EVAL_PARTIAL_FORMAT;
  readonly rank: number;
  readonly worldSize: number;
  /** This rank's shards, in the global spec order. */
  readonly shards: readonly string[];
  readonly identity: EvalIdentity;
  readonly nImages: number;
  readonly files: {
    readonly metrics: string;
    readonly codebook: string;
    readonly reconstructionMoments: string | null;
    readonly referenceMoments: string | null;
    readonly previews: string | null;
  };
}

/** The mergeable state of one rank, in memory. */
export interface EvalState {
  readonly codebook: CodebookUsage;
  readonly reconstructionMoments: FeatureMoments | null;
  readonly referenceMoments: FeatureMoments | null;
}

/** A checkpoint's `vqrae.weights` metadata (`ema` for exports of `vqrae train`), or `unrecorded` (EvalIdentity.weights). */
export async function checkpointWeights(file: string): Promise<string> {
  const opened = await SafetensorsFile.open(file);
  try {
    return opened.metadata['vqrae.weights'] ?? 'unrecorded';
  } finally {
    await opened.close();
  }
}

/** Writes the moments, code counts and `eval-partial.json` of a run into `dir`. */
export async function writeEvalPartial(dir: string, partial: Omit<EvalPartial, 'format' | 'files'> & { readonly previews: boolean }, state: EvalState): Promise<EvalPartial> {
  const space = partial.identity.featureSpace;
  const files = {
    metrics: 'metrics.arrow',
    codebook: 'codebook-usage.npz',
    reconstructionMoments: state.reconstructionMoments && space ? 'reconstruction-moments.npz' : null,
    referenceMoments: state.referenceMoments && space ? 'reference-moments.npz' : null,
    previews: partial.previews ? 'previews/previews.json' : null,
  };
  await writeNpz(path.join(dir, files.codebook), { counts: { dtype: 'f8', shape: [state.codebook.codebookSize], data: state.codebook.counts } });
  const labels = { decodeMode: partial.identity.decodeMode ?? 'exact' };
  if (files.reconstructionMoments && space) await writeMomentsNpz(path.join(dir, files.reconstructionMoments), state.reconstructionMoments!, space, labels);
  if (files.referenceMoments && space) await writeMomentsNpz(path.join(dir, files.referenceMoments), state.referenceMoments!, space, labels);
  const record: EvalPartial = {
    format: EVAL_PARTIAL_FORMAT,
    rank: partial.rank,
    worldSize: partial.worldSize,
    shards: partial.shards,
    identity: partial.identity,
    nImages: partial.nImages,
    files,
  };
  const file = path.join(dir, EVAL_PARTIAL_FILE);
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** Reads `eval-partial.json` of `dir`; throws naming the folder when it is missing or of another format. */
export async function readEvalPartial(dir: string): Promise<EvalPartial> {
  const file = path.join(dir, EVAL_PARTIAL_FILE);
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new Error(`merge-eval: '${dir}' has no ${EVAL_PARTIAL_FILE} (is it the --out folder of a finished 'vqrae eval' run?)`);
  });
  const parsed = JSON.parse(text) as Partial<EvalPartial>;
  if (parsed.format !== EVAL_PARTIAL_FORMAT) throw new Error(`merge-eval: ${file} has format '${String(parsed.format)}', expected '${EVAL_PARTIAL_FORMAT}'`);
  return parsed as EvalPartial;
}

/** Loads the mergeable state a partial points at. */
export async function readEvalState(dir: string, partial: EvalPartial): Promise<EvalState> {
  const counts = (await readNpzArrays(path.join(dir, partial.files.codebook), ['counts'])).get('counts');
  if (!counts || counts.dtype !== 'f8' || counts.data.length !== partial.identity.codebookSize) {
    throw new Error(`merge-eval: ${path.join(dir, partial.files.codebook)} must hold float64 counts [${partial.identity.codebookSize}]`);
  }
  const codebook = new CodebookUsage(partial.identity.codebookSize);
  codebook.counts.set(counts.data);
  const moments = async (file: string | null): Promise<FeatureMoments | null> => (file ? (await readMomentsNpz(path.join(dir, file))).moments : null);
  return { codebook, reconstructionMoments: await moments(partial.files.reconstructionMoments), referenceMoments: await moments(partial.files.referenceMoments) };
}

/** Adds `other` into `into` (codes, moments); both must come from runs with the same identity. */
export function mergeEvalState(into: EvalState, other: EvalState): EvalState {
  into.codebook.merge(other.codebook);
  const add = (a: FeatureMoments | null, b: FeatureMoments | null): FeatureMoments | null => {
    if (a && b) a.merge(b);
    return a ?? b;
  };
  return {
    codebook: into.codebook,
    reconstructionMoments: add(into.reconstructionMoments, other.reconstructionMoments),
    referenceMoments: add(into.referenceMoments, other.referenceMoments),
  };
}
