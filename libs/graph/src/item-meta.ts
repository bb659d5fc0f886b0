import { StageError, type SampleMeta, type SkipRecord, type Traceable } from './types.js';

/** The single-sample metadata an item carries (`item.meta`), if any. */
export function metaOf(item: unknown): SampleMeta | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const meta = (item as Traceable).meta;
  return isSampleMeta(meta) ? meta : undefined;
}

/** The metadata of every sample in a batch: `item.metas`, or the metas of an array of samples. */
export function batchMetasOf(item: unknown): readonly SampleMeta[] | undefined {
  if (Array.isArray(item)) {
    const metas = item.map(metaOf).filter((m): m is SampleMeta => m !== undefined);
    return metas.length > 0 ? metas : undefined;
  }
  if (typeof item !== 'object' || item === null) return undefined;
  const metas = (item as Traceable).metas;
  return Array.isArray(metas) ? metas.filter(isSampleMeta) : undefined;
}

/** Wraps a failure on one item in a StageError naming the stage and the item's key/shard (or its batch's keys). */
export function stageErrorFor(stage: string, item: unknown, cause: unknown): StageError {
  if (cause instanceof StageError) return cause;
  const meta = metaOf(item);
  return new StageError(stage, meta, cause, meta ? undefined : batchMetasOf(item));
}

/** A skip record for `item` in `stage`. Batches list their keys (comma-separated) and distinct shards. */
export function skipRecordFor(stage: string, item: unknown, reason: string): SkipRecord {
  const meta = metaOf(item);
  if (meta) return { stage, key: meta.key, shard: meta.shard, reason };
  const metas = batchMetasOf(item);
  if (!metas || metas.length === 0) return { stage, reason };
  return {
    stage,
    key: metas.map((m) => m.key).join(','),
    shard: [...new Set(metas.map((m) => m.shard))].join(','),
    reason,
  };
}

function isSampleMeta(value: unknown): value is SampleMeta {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.key === 'string' && typeof m.shard === 'string' && typeof m.index === 'number';
}
