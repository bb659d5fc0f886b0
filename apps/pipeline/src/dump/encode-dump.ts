import {
  DatasetSpec,
  collectingReporter,
  cropImages,
  decodeImages,
  expandShardSpec,
  type CropSpec,
  type DecodeMode,
  type ImageSample,
  type RemoteShardOptions,
  type RgbImage,
} from '@vqrae/data';
import { Graph, batchStage, forEachSink, mapStage, type ErrorPolicy, type Logger, type ProgressReporter, type SampleMeta, type Stage } from '@vqrae/graph';
import { CancelledError } from '../cli/cancelled.js';
import { UsageError } from '../cli/errors.js';
import { type Augment, childSignal, type DumpManifest, type ExactlyOnceSummary, type PartFile, rankManifestName, readSideFields, runExactlyOnce, type ShardOutcome, shardRef, type SideFields, viewsPerImage, DumpCancelledError, DumpRefusedError } from '@vqrae/tokens';
import { shardsForRank, type RankAssignment } from './rank.js';
import { augmentStage, type AugmentedSample } from './augment-stage.js';

/** Image protocol applied before encoding (recorded in the dump's metadata). */
export interface ImageProtocol {
  readonly crop: 'center' | 'adm' | 'exact';
  readonly size: number;
  /** `fast`: crop inside the decoder (shrink-on-load for large JPEG/WebP); `exact` (default): full decode, then crop. */
  readonly decodeMode?: DecodeMode;
}

/** Decoded, cropped samples of one batch (never crossing a shard boundary). */
export interface SampleBatch {
  readonly metas: readonly SampleMeta[];
  readonly images: readonly RgbImage[];
  readonly sides: readonly SideFields[];
  /** `--augment` view of each sample (absent without augmentation). */
  readonly augs?: readonly string[];
}

/**
 * One image-encoding dump (tokens or features) over a shard spec, exactly once per shard, one rank's share.
 * `Encoded` is what the model stage emits per batch (a library model stage's record); `rowsOf` turns it into rows.
 */
export interface EncodeDumpJob<Row, Encoded = Row[]> {
  readonly kind: string;
  readonly data: string;
  /** Retries and cache of http(s) shards (a runtime choice: not part of the fingerprint). */
  readonly remote?: RemoteShardOptions;
  readonly outDir: string;
  readonly rank: RankAssignment;
  readonly batchSize: number;
  readonly rowsPerFile: number;
  readonly onError: ErrorPolicy;
  readonly protocol: ImageProtocol;
  /**
   * `--augment`: each cropped sample (cropped at `protocol.size`) becomes `viewsPerImage(mode)` views at `size`, each
   * its own row; the shard's seen/written/skipped then count rows (views), `viewsPerImage(mode)` per sample.
   */
  readonly augment?: { readonly mode: Augment; readonly size: number };
  /**
   * Per-sample check after crop (e.g. "the template needs a caption and the sample has one"): a throw is that sample's
   * error under `onError` (skipped and listed with `skip`), so one bad sample never fails its shard at write time.
   */
  readonly checkSample?: (sample: ImageSample) => void;
  /** The model stage: a batch of samples → its encoded record. */
  readonly encodeStage: Stage<SampleBatch, Encoded>;
  /** One row per sample of an encoded batch, in order. */
  readonly rowsOf: (encoded: Encoded) => readonly Row[];
  /** One part's file (named `<shard id>.<part>.arrow`), or all its files with their extensions (several formats). */
  readonly encodeFile: (rows: readonly Row[]) => Uint8Array | Promise<readonly PartFile[]>;
  /** What the written files are, for `--dry-run` (default `arrow`). */
  readonly formatLabel?: string;
  readonly fingerprint: DumpManifest['fingerprint'];
  readonly provenance: Record<string, unknown>;
  readonly log: Logger;
  readonly progress: ProgressReporter;
  readonly signal?: AbortSignal;
}

function cropSpec(protocol: ImageProtocol): CropSpec {
  return { protocol: protocol.crop, size: protocol.size };
}

function toBatch(samples: ImageSample[]): SampleBatch {
  const augs = samples.map((s) => (s as Partial<AugmentedSample>).aug);
  return {
    metas: samples.map((s) => s.meta),
    images: samples.map((s) => s.image),
    sides: samples.map(readSideFields),
    ...(augs.some((a) => a !== undefined) ? { augs: augs.map((a) => a ?? 'none') } : {}),
  };
}

/** Views per decoded sample (1 without `--augment`). */
function viewsOf(job: { readonly augment?: { readonly mode: Augment } }): number {
  return job.augment ? viewsPerImage(job.augment.mode) : 1;
}

/** The per-shard graph: shard → decode → crop → batch → encode → rows sink. */
export function shardGraph<Row, Encoded>(
  job: Pick<EncodeDumpJob<Row, Encoded>, 'batchSize' | 'onError' | 'protocol' | 'encodeStage' | 'rowsOf' | 'remote' | 'augment' | 'checkSample'>,
  shard: string,
  reporter: ReturnType<typeof collectingReporter>,
  emit: (row: Row) => Promise<void>,
  onBatch: (batch: SampleBatch) => void = () => {},
): Graph {
  const spec = new DatasetSpec({ shards: [shard], onError: job.onError, strict: true, ...(job.remote ? { remote: job.remote } : {}) });
  const cropped = job.protocol.decodeMode === 'fast'
    ? Graph.from(spec.asSource({ reporter })).pipe(decodeImages({ onError: job.onError, concurrency: 'auto', crop: cropSpec(job.protocol), decodeMode: 'fast' }))
    : Graph.from(spec.asSource({ reporter }))
      .pipe(decodeImages({ onError: job.onError, concurrency: 'auto' }))
      .pipe(cropImages<ImageSample>({ crop: cropSpec(job.protocol), onError: job.onError, concurrency: 4 }));
  const check = job.checkSample;
  const checked = check
    ? cropped.pipe(
        mapStage(
          'check',
          (sample: ImageSample) => {
            check(sample);
            return sample;
          },
          { onError: job.onError },
        ),
      )
    : cropped;
  const views = job.augment && job.augment.mode !== 'none' ? checked.pipe(augmentStage(job.augment.mode, job.augment.size, job.onError)) : checked;
  return views
    .pipe(batchStage<ImageSample>('batch', { size: job.batchSize, describe: `batch(${job.batchSize}, within shard)` }))
    .pipe(
      mapStage(
        'sides',
        (samples: ImageSample[]) => {
          const batch = toBatch(samples);
          onBatch(batch);
          return batch;
        },
        { onError: job.onError },
      ),
    )
    .pipe(job.encodeStage)
    .to(
      forEachSink<Encoded>(
        'rows',
        async (encoded) => {
          for (const row of job.rowsOf(encoded)) await emit(row);
        },
        { describe: 'rows' },
      ),
    );
}

/** The text `--dry-run` prints: the whole job's dataflow. */
export function describeEncodeDump<Row, Encoded>(job: EncodeDumpJob<Row, Encoded>): string {
  const perShard = shardGraph(job, '<shard>', collectingReporter(), async () => {})
    .describe()
    .replace(/^shards\([^)]*\)/, `shards(${job.data}, rank ${job.rank.rank}/${job.rank.worldSize}, one shard at a time, onError ${job.onError})`);
  return `${perShard} → ${job.formatLabel ?? 'arrow'}(${job.kind}, ${job.rowsPerFile} rows/file, exactly once per shard) → ${rankManifestName(job.rank.rank, job.rank.worldSize)}`;
}

/** The library's dump errors as the app's: a refused dump is a usage error (exit 2), a cancelled one exits 130. */
function appError(error: unknown): never {
  if (error instanceof DumpRefusedError) throw new UsageError(error.message);
  if (error instanceof DumpCancelledError) throw new CancelledError(error.message);
  throw error;
}

/** Runs the dump for this rank's shards. Returns the exactly-once summary (seen = written + skipped). */
/** Wall time and item counts per stage, summed over the per-shard graphs (the bench's time split). */
export type StageTotals = Record<string, { busyMs: number; seen: number }>;

export async function runEncodeDump<Row, Encoded>(job: EncodeDumpJob<Row, Encoded>): Promise<ExactlyOnceSummary & { shardCount: number; stageTotals: StageTotals }> {
  const stageTotals: StageTotals = {};
  const all = (await expandShardSpec(job.data)).map(shardRef);
  if (all.length < job.rank.worldSize) {
    job.log.warn(`${all.length} shard(s) for ${job.rank.worldSize} ranks: ranks ≥ ${all.length} have nothing to do`);
  }
  const mine = shardsForRank(all, job.rank);
  job.log.info(`rank ${job.rank.rank}/${job.rank.worldSize} (${job.rank.source}): ${mine.length} of ${all.length} shard(s)`);
  job.progress.start(undefined);
  const summary = await runExactlyOnce<Row>({
    outDir: job.outDir,
    manifestFile: `${job.outDir}/${rankManifestName(job.rank.rank, job.rank.worldSize)}`,
    kind: job.kind,
    fingerprint: job.fingerprint,
    provenance: job.provenance,
    rank: job.rank.rank,
    worldSize: job.rank.worldSize,
    shards: mine,
    rowsPerFile: job.rowsPerFile,
    fileExtension: '.arrow',
    encode: job.encodeFile,
    onShardError: job.onError,
    log: (line) => job.log.info(line),
    ...(job.signal ? { signal: job.signal } : {}),
    processShard: async (shard, emit): Promise<ShardOutcome> => {
      const reporter = collectingReporter();
      let written = 0;
      // A batch the model stage skips is one skip record naming its keys joined by ','; keep each batch's samples to
      // list them one by one (keys may contain commas, so the joined string is matched, never split).
      const batches = new Map<string, readonly SampleMeta[]>();
      const graph = shardGraph(
        job,
        shard.url,
        reporter,
        async (row) => {
          written += 1;
          job.progress.tick(1);
          await emit(row);
        },
        (batch) => batches.set(batch.metas.map((m) => m.key).join(','), batch.metas),
      );
      const shardSignal = childSignal(job.signal);
      const summary = await graph.run({ log: job.log, signal: shardSignal.signal }).finally(() => shardSignal.dispose());
      if (summary.cancelled) throw new CancelledError(`shard ${shard.url}: cancelled (interrupted)`);
      for (const stage of summary.stages) {
        const total = (stageTotals[stage.name] ??= { busyMs: 0, seen: 0 });
        total.busyMs += stage.busyMs;
        total.seen += stage.seen;
      }
      // A tar stream that ends early is a failed shard, not one skipped sample: the samples after the cut were never
      // seen, so the shard is recorded as failed (nothing committed) and redone by the next run.
      const cut = reporter.skips.find((s) => s.endsShard === true);
      if (cut) throw new Error(`tar stream ends early (truncated or corrupt; the samples after the cut are missing): ${cut.reason}`);
      const shardLevel = reporter.skips.find((s) => s.meta === undefined);
      if (shardLevel) throw new Error(`could not be read: ${shardLevel.reason}`);
      for (const message of reporter.messages) job.log.warn(message);
      const skips = [
        ...reporter.skips.map((s) => ({ key: s.meta?.key ?? '', reason: s.reason })),
        ...summary.skips.flatMap((s) => {
          const reason = `${s.stage}: ${s.reason}`;
          const batch = s.key === undefined ? undefined : batches.get(s.key);
          return batch ? batch.map((m) => ({ key: m.key, reason })) : [{ key: s.key ?? '', reason }];
        }),
      ];
      const decoded = summary.stages.find((s) => s.name === 'decode');
      // With --augment every sample stands for `views` rows: a sample skipped before the views were cut (tar, decode,
      // crop) skips all of them; a model batch skip already lists one key per view.
      const views = viewsOf(job);
      const augmentStats = summary.stages.find((s) => s.name === 'augment');
      const earlySkips = reporter.skips.length + summary.skips.filter((s) => s.stage === 'decode' || s.stage === 'crop' || s.stage === 'check' || s.stage === 'augment').length;
      const seen = views === 1 ? (decoded?.seen ?? 0) + reporter.skips.length : ((decoded?.seen ?? 0) + reporter.skips.length) * views;
      const skipped = views === 1 ? skips.length : skips.length + earlySkips * (views - 1);
      if (augmentStats && views > 1) job.log.info(`shard ${shard.url}: ${augmentStats.seen} sample(s) × ${views} views`);
      if (written !== seen - skipped) job.log.warn(`shard ${shard.url}: ${written} rows for ${seen} samples and ${skipped} skips`);
      return { seen, skipped, skips };
    },
  }).catch(appError);
  job.progress.stop();
  return { ...summary, shardCount: mine.length, stageTotals };
}
