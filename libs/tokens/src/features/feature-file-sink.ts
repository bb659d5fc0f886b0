import fs from 'node:fs/promises';
import path from 'node:path';
import type { ShardSample } from '@vqrae/data';
import { writeFileAtomic, type Sink } from '@vqrae/graph';
import type { FeatureOutputs, ImageBatchRecord } from '@vqrae/tokenizer';
import { readSideFields } from '../side-fields.js';
import { shardBaseName } from '../shard-base-name.js';
import { encodeFeatureTable, type FeatureRow, type FeatureTableLayout } from './feature-table.js';

/** A batch with features; `samples` (kept by `imageBatches`) supplies the `.cls` / `.txt` / `.json` pass-through. */
export type FeatureBatch = ImageBatchRecord & FeatureOutputs & { readonly samples?: readonly ShardSample[] };

export interface FeatureFileSinkOptions {
  readonly outDir: string;
  /** Stored values: float16 (half the bytes) or float32 (default). */
  readonly dtype?: 'f16' | 'f32';
  /** Token grid `[h, w]` recorded in every row (default: square, √N per side; `[1, 1]` when pooled). */
  readonly grid?: readonly [number, number];
  /** Pass-through columns of every file (default none); needs `samples` in the batches. */
  readonly passThrough?: FeatureTableLayout['passThrough'];
  /** Provenance stored in the schema metadata, `vqrae.*` keys → JSON strings. */
  readonly metadata?: ReadonlyMap<string, string>;
  /** Sink name (default `feature-files`). */
  readonly name?: string;
}

/** One feature row per sample of a batch, in order (arrays are views of the batch's outputs; the encoder copies). */
export function featureRowsOfBatch(batch: FeatureBatch, passThrough: FeatureTableLayout['passThrough']): FeatureRow[] {
  const wantsSides = passThrough.label || passThrough.caption || passThrough.json;
  return batch.metas.map((meta, b) => {
    const sample = batch.samples?.[b];
    if (wantsSides && !sample) throw new Error(`feature rows: pass-through columns need the batch's samples (key ${meta.key}, shard ${meta.shard})`);
    return { key: meta.key, shard: meta.shard, features: batch.features[b]!, ...(wantsSides ? readSideFields(sample!) : {}) };
  });
}

/**
 * Batches with features (the `features` stage record, or a custom stage's) → one Arrow IPC feature file per input
 * shard (`<shard stem>-<unit>.features.arrow`: key, shard, features FixedSizeList[N·d], tokens, dim, grid, optional
 * label/caption/json), each written atomically (temp + fsync + rename). Ready for a linear probe: pool to `[d]`
 * upstream and keep `.cls` labels. Result: the files written, in order.
 *
 * @example
 * graph.pipe(featuresStage(engine, { pool: 'mean' })).to(featureFileSink({ outDir: 'features' }))
 */
export function featureFileSink(options: FeatureFileSinkOptions): Sink<FeatureBatch, { files: string[] }> {
  const name = options.name ?? 'feature-files';
  const passThrough = options.passThrough ?? { label: false, caption: false, json: false };
  const files: string[] = [];
  let units = 0;
  let current: { shard: string; rows: FeatureRow[]; layout: FeatureTableLayout } | undefined;
  const flush = async (): Promise<void> => {
    if (!current) return;
    const unit = current;
    current = undefined;
    const target = path.join(options.outDir, `${shardBaseName(unit.shard, units - 1)}.features.arrow`);
    if (files.length === 0) await fs.mkdir(options.outDir, { recursive: true });
    await writeFileAtomic(target, encodeFeatureTable(unit.rows, unit.layout));
    files.push(target);
  };
  const layoutOf = (batch: FeatureBatch): FeatureTableLayout => {
    const side = Math.round(Math.sqrt(batch.featureTokens));
    const grid = options.grid ?? (side * side === batch.featureTokens ? [side, side] : [batch.featureTokens, 1]);
    return {
      tokens: batch.featureTokens,
      dim: batch.featureWidth,
      gridH: grid[0],
      gridW: grid[1],
      dtype: options.dtype ?? 'f32',
      passThrough,
      metadata: options.metadata ?? new Map(),
    };
  };
  return {
    name,
    describe: () => `${name}(arrow ${options.dtype ?? 'f32'} → ${options.outDir}, one file per shard)`,
    async write(batch) {
      const rows = featureRowsOfBatch(batch, passThrough);
      for (const row of rows) {
        if (current && current.shard !== row.shard) await flush();
        if (!current) {
          current = { shard: row.shard, rows: [], layout: layoutOf(batch) };
          units += 1;
        }
        current.rows.push(row);
      }
    },
    async finish() {
      await flush();
      return { files };
    },
    abort() {
      current = undefined;
    },
  };
}
