/**
 * The registry of shipped checkpoints: every `assets/checkpoints/<name>.json` card (written by
 * `tools/checkpoints/ship.ts`) names one weights file next to it with its sha256. Found relative to this package
 * (`libs/tokenizer` → the repository's `assets/checkpoints`), so it works from any working directory and through
 * `npx vqrae`; `VQRAE_SHIPPED_CHECKPOINTS=<dir>` points it elsewhere (tests, a user's own set).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShippedCheckpointError } from './shipped-error.js';

/** The `@vqrae/tokenizer` package folder (this file is `<package>/src/shipped/shipped-registry.ts`). */
const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The repository's shipped-checkpoints folder (`<repository>/assets/checkpoints`, two levels above the package). */
export const BUNDLED_CHECKPOINTS = path.resolve(PACKAGE_DIR, '../../assets/checkpoints');

/** The folder the registry reads: `VQRAE_SHIPPED_CHECKPOINTS` if set, else the bundled one. */
export function shippedCheckpointsDir(): string {
  return process.env.VQRAE_SHIPPED_CHECKPOINTS ?? BUNDLED_CHECKPOINTS;
}

/** One shipped checkpoint, as its card describes it. */
export interface ShippedCheckpoint {
  readonly name: string;
  /** Absolute path of the weights. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly dtype: string;
  readonly preset: string;
  readonly description: string;
  /** A stand-in that was never trained (said wherever it is used). */
  readonly placeholder: boolean;
  /** The card's path. */
  readonly card: string;
  /** `--seed` of the training run (it draws the frozen codebook C; `train --init` needs it), when the card records it. */
  readonly trainSeed: number | null;
}

/**
 * Every card in `dir`, sorted by name (none if `dir` does not exist). A card that is not valid JSON or lacks a field
 * is a {@link ShippedCheckpointError} naming it.
 */
export function listShippedCheckpoints(dir = shippedCheckpointsDir()): ShippedCheckpoint[] {
  if (!fs.existsSync(dir)) return [];
  const cards = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return cards.map((f) => readCard(path.join(dir, f))).sort((a, b) => a.name.localeCompare(b.name));
}

function readCard(card: string): ShippedCheckpoint {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(card, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ShippedCheckpointError('bad-card', card, `shipped checkpoint card ${card}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = (key: string): string => {
    const value = raw[key];
    if (typeof value !== 'string' || value === '') throw new ShippedCheckpointError('bad-card', card, `shipped checkpoint card ${card}: '${key}' must be a non-empty string`);
    return value;
  };
  const name = text('name');
  const sha256 = text('sha256');
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ShippedCheckpointError('bad-card', card, `shipped checkpoint card ${card}: 'sha256' must be 64 hex digits`);
  return {
    name,
    file: path.join(path.dirname(card), text('file')),
    sha256,
    bytes: typeof raw.bytes === 'number' ? raw.bytes : 0,
    dtype: typeof raw.dtype === 'string' ? raw.dtype : 'F32',
    preset: text('preset'),
    description: text('description'),
    placeholder: raw.placeholder === true,
    card,
    trainSeed: seedOf(raw.source),
  };
}

/** `source.runConfig.seed` of a card (a train-config.json), or null. */
function seedOf(source: unknown): number | null {
  const runConfig = typeof source === 'object' && source !== null ? (source as { runConfig?: unknown }).runConfig : undefined;
  const seed = typeof runConfig === 'object' && runConfig !== null ? (runConfig as { seed?: unknown }).seed : undefined;
  return typeof seed === 'number' && Number.isSafeInteger(seed) ? seed : null;
}

/** The shipped checkpoint called `name`, or null. */
export function findShippedCheckpoint(name: string, dir = shippedCheckpointsDir()): ShippedCheckpoint | null {
  return listShippedCheckpoints(dir).find((c) => c.name === name) ?? null;
}

/** Hex SHA-256 of a file (read whole: shipped checkpoints are a few MiB). */
export function sha256FileSync(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Checks the weights of a shipped checkpoint against its card; throws a {@link ShippedCheckpointError} naming the
 * file, both digests and the fix.
 */
export function verifyShippedCheckpoint(entry: ShippedCheckpoint): void {
  if (!fs.existsSync(entry.file)) {
    throw new ShippedCheckpointError('missing-file', entry.name, `shipped checkpoint '${entry.name}': ${entry.file} is missing (its card ${entry.card} names it); restore it with git checkout`);
  }
  const actual = sha256FileSync(entry.file);
  if (actual !== entry.sha256) {
    throw new ShippedCheckpointError('sha256-mismatch', entry.name, 
      `shipped checkpoint '${entry.name}': ${entry.file} is corrupted or was replaced (sha256 ${actual}, its card ${entry.card} says ${entry.sha256}); ` +
        'restore it with git checkout, or re-ship it with tools/checkpoints/ship-checkpoint.ts',
    );
  }
}
