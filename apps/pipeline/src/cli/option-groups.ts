/**
 * Options several commands declare alike (checkpoint, data, crop, batch, onError), written once: each helper returns
 * an ordinary option spec (spread it under the command's own key, change the text where the command means something
 * else), and {@link requireOptions} replaces the `if (!o.x) throw new UsageError(...)` lines of options a command
 * cannot run without.
 */
import { resolveRank, type RankAssignment } from '@vqrae/tokens';
import { DECODE_MODE_FAST_DEFAULT } from '../commands/decode-mode-option.js';
import { ENGINE_OPTIONS } from '../engine/engine-options.js';
import { UsageError } from './errors.js';
import { intOption, pathOption, stringOption } from './option-spec.js';
import { REMOTE_SHARD_OPTIONS } from './remote-shard-options.js';

/**
 * `--checkpoint <file|name>`: a VQRAE checkpoint that must exist, or the name of a shipped checkpoint (`vqrae info`),
 * resolved to its sha256-verified file by the option parser (see checkpoint-argument.ts).
 */
export const checkpointOption = (description = 'VQRAE checkpoint (.safetensors) or a shipped name (vqrae info)') =>
  pathOption({ description, mustExist: 'file', shipped: true, placeholder: '<file|name>' });

/** `--data <spec>`: a shard spec (braces, lists, URLs). */
export const dataOption = (description = "shard spec, e.g. 'val-{000..009}.tar' (quote it)") => stringOption({ description, placeholder: '<spec>' });

/** `--crop <protocol>` among `choices`, with a default. */
export const cropOption = <const C extends readonly string[]>(choices: C, fallback: C[number], description = 'image protocol before encoding') =>
  stringOption({ description, choices, default: fallback });

/** `--batch <n>`: images (or rows) per forward pass, ≥ 1. */
export const batchOption = (fallback: number, description = 'images per forward pass') => intOption({ description, default: fallback, min: 1 });

/** `--on-error throw|skip` (default throw). */
export const onErrorOption = (description = 'bad samples: stop, or skip them (counted, listed in summary.json)') =>
  stringOption({ description, choices: ['throw', 'skip'] as const, default: 'throw' });

/** Required options, as `NonNullable` values: throws `<command>: --a is required` (or `--a and --b are required`). */
export function requireOptions<O extends object, K extends keyof O & string>(command: string, options: O, ...names: K[]): { [P in K]: NonNullable<O[P]> } {
  const missing = names.filter((n) => options[n] === undefined || options[n] === null || options[n] === '');
  if (missing.length > 0) {
    const flags = missing.map((n) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new UsageError(`${command}: ${flags.length === 1 ? `${flags[0]} is required` : `${flags.slice(0, -1).join(', ')} and ${flags.at(-1)} are required`}`);
  }
  return Object.fromEntries(names.map((n) => [n, options[n]])) as { [P in K]: NonNullable<O[P]> };
}

/** `--rank` / `--world-size`: this process's share of a job split by whole shards (default: the scheduler's env). */
export const rankOptions = () => ({
  rank: intOption({ description: 'this process’s rank (default: RANK, SLURM_PROCID or JOB_COMPLETION_INDEX)', min: 0 }),
  worldSize: intOption({ description: 'number of ranks (default: WORLD_SIZE, SLURM_NTASKS, JOB_COMPLETIONS)', min: 1 }),
});

/** This process's rank from `--rank`/`--world-size` (undefined when not given), else the environment (only the app reads it). */
export function rankFromOptions(o: { readonly rank?: number | undefined; readonly worldSize?: number | undefined }): RankAssignment {
  return resolveRank({ ...(o.rank !== undefined ? { rank: o.rank } : {}), ...(o.worldSize !== undefined ? { worldSize: o.worldSize } : {}) }, process.env);
}

/**
 * What `dump-tokens` and `dump-features` both declare: checkpoint, shard spec, image protocol (crop, decode mode),
 * batch, output parts, error policy, rank split, inference engine and remote shards. Spread it into the command's
 * options and add the command's own; `checkpoint` says what the command uses of it.
 */
export const dumpOptions = (command: { readonly checkpoint: string; readonly rowsPerFile: number }) => ({
  checkpoint: checkpointOption(command.checkpoint),
  data: dataOption("shard spec, e.g. 'val-{000000..000009}.tar' (quote it)"),
  batch: batchOption(16, 'images per forward pass (batches never cross a shard)'),
  crop: cropOption(['center', 'adm', 'exact'] as const, 'center', 'image protocol before encoding (an image already at the input size is not resampled)'),
  decodeMode: DECODE_MODE_FAST_DEFAULT,
  rowsPerFile: intOption({ description: 'rows per output part (files roll over within a shard)', default: command.rowsPerFile, min: 1 }),
  onError: onErrorOption('bad samples/shards: stop, or skip them (counted, logged, listed in the manifest)'),
  ...rankOptions(),
  ...ENGINE_OPTIONS,
  ...REMOTE_SHARD_OPTIONS,
});
