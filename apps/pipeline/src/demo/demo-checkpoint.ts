import path from 'node:path';
import { listShippedCheckpoints, sha256FileSync } from '@vqrae/tokenizer';

/** The checkpoint a demo run uses (its `--checkpoint`, already resolved to a file), and how to name it honestly. */
export interface DemoCheckpoint {
  readonly file: string;
  readonly sha256: string;
  /** The shipped name, or null for a user's file. */
  readonly name: string | null;
  readonly placeholder: boolean;
  /** The training run's seed, when the shipped card records it (the seed draws the frozen codebook). */
  readonly trainSeed: number | null;
  /** e.g. `small-cpu (shipped, sha256 74ccb268…)` or `…, PLACEHOLDER: untrained` */
  readonly label: string;
}

/** Describes the demo's checkpoint file: the shipped checkpoint it is (by path), or the file itself. */
export function demoCheckpoint(file: string): DemoCheckpoint {
  const sha256 = sha256FileSync(file);
  const shipped = listShippedCheckpoints().find((c) => path.resolve(c.file) === path.resolve(file)) ?? null;
  const placeholder = shipped?.placeholder ?? false;
  const details = [...(shipped ? ['shipped'] : []), `sha256 ${sha256.slice(0, 12)}…`, ...(placeholder ? ['PLACEHOLDER: untrained stand-in'] : [])];
  const label = `${shipped?.name ?? file} (${details.join(', ')})`;
  return { file, sha256, name: shipped?.name ?? null, placeholder, label, trainSeed: shipped?.trainSeed ?? null };
}
