/**
 * Shipping a trained tokenizer: the f32 EMA model of `vqrae train` → an F16 safetensors file (same keys, same
 * metadata, so `loadCheckpoint` rebuilds it alone) next to a JSON card that the CLI's shipped-checkpoint registry
 * reads (`libs/tokenizer/src/shipped/shipped-registry.ts`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { SafetensorsFile, isFloatDtype, sha256File, writeSafetensors, type RawTensor } from '@vqrae/nn';
import { CHECKPOINT_METADATA, countParams, parseVqraeConfig } from '@vqrae/tokenizer';

/** The JSON card written next to a shipped checkpoint (`assets/checkpoints/<name>.json`). */
export interface ShippedCard {
  readonly name: string;
  /** File name of the weights, relative to the card. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly dtype: 'F16';
  readonly preset: string;
  /** One line for `vqrae info`. */
  readonly description: string;
  /** A stand-in (not trained), to be replaced by the real checkpoint; the demo and `info` say so. */
  readonly placeholder: boolean;
  readonly parameters: { readonly total: number; readonly stored: number };
  readonly source: {
    readonly file: string;
    readonly sha256: string;
    readonly weights: string | null;
    readonly step: number | null;
    readonly runConfig: unknown;
  };
  readonly licence: string;
}

/** Options of `shipCheckpoint`. */
export interface ShipOptions {
  readonly name: string;
  readonly description: string;
  readonly placeholder: boolean;
  /** config.json of the training run (recorded in the card), if given. */
  readonly runConfig?: string;
  readonly step?: number;
  readonly licence: string;
}

/**
 * Converts `source` (a VQRAE checkpoint, usually `model-ema.safetensors`) to F16 at `out` and writes
 * `<dir of out>/<name>.json`. Float tensors become F16 (round to nearest even), others keep their dtype; the metadata
 * is copied unchanged. Returns the card.
 */
export async function shipCheckpoint(source: string, out: string, opts: ShipOptions): Promise<ShippedCard> {
  const file = await SafetensorsFile.open(source);
  let preset: string;
  let total: number;
  let stored = 0;
  const tensors: Record<string, RawTensor> = {};
  let metadata: Record<string, string>;
  try {
    metadata = { ...file.metadata };
    const rawConfig = metadata[CHECKPOINT_METADATA.config];
    if (rawConfig === undefined) throw new Error(`ship-checkpoint: ${source} is not a VQRAE checkpoint (no '${CHECKPOINT_METADATA.config}' metadata)`);
    const config = parseVqraeConfig(JSON.parse(rawConfig));
    preset = config.preset ?? 'custom';
    total = countParams(config).total;
    for (const key of file.keys()) {
      const { dtype, shape } = file.info(key);
      stored += shape.reduce((a, b) => a * b, 1);
      tensors[key] = isFloatDtype(dtype)
        ? { data: await file.readFloat32(key, { requireFinite: true }), shape, dtype: 'F16' }
        : { data: (await file.readValues(key)).data as RawTensor['data'], shape, dtype };
    }
  } finally {
    await file.close();
  }
  await fs.mkdir(path.dirname(out), { recursive: true });
  await writeSafetensors(out, tensors, { metadata });
  const runConfig = opts.runConfig !== undefined ? (JSON.parse(await fs.readFile(opts.runConfig, 'utf8')) as unknown) : null;
  const card: ShippedCard = {
    name: opts.name,
    file: path.basename(out),
    sha256: await sha256File(out),
    bytes: (await fs.stat(out)).size,
    dtype: 'F16',
    preset,
    description: opts.description,
    placeholder: opts.placeholder,
    parameters: { total, stored },
    source: {
      file: path.basename(source),
      sha256: await sha256File(source),
      weights: metadata['vqrae.weights'] ?? null,
      step: opts.step ?? null,
      runConfig,
    },
    licence: opts.licence,
  };
  await writeJsonAtomic(path.join(path.dirname(out), `${opts.name}.json`), card);
  return card;
}

/** Writes JSON through a temporary file and a rename (a crash never leaves half a card). */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  // Arrays of numbers (token ids) on one line each: a readable diff when a checkpoint changes.
  const text = JSON.stringify(value, null, 2).replace(/\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g, (_m, items: string) => `[${items.replace(/,\s+/g, ', ')}]`);
  await fs.writeFile(temp, `${text}\n`);
  await fs.rename(temp, file);
}
