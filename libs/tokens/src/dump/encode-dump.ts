import {
  DatasetSpec,
  cropImages,
  decodeImages,
  expandShardSpec,
  type CropSpec,
  type DecodeMode,
  type ImageSample,
  type RemoteShardOptions,
  type RgbImage,
  type ShardSample,
} from '@vqrae/data';
import { Graph, mapStage, type ErrorPolicy, type Logger, type ProgressReporter, type RunSummary, type SampleMeta, type Sink, type Source, type Stage } from '@vqrae/graph';
import { imageBatches } from '@vqrae/tokenizer';
import type { Augment } from '../augment/views.js';
import { viewsPerImage } from '../augment/views.js';
import { DumpCancelledError } from '../exactly-once/errors.js';
import { exactlyOnceSink } from '../exactly-once/exactly-once-sink.js';
import { ShardCommitter, shardRef, type ExactlyOnceSummary, type PartFile, type ShardRef } from '../exactly-once/exactly-once.js';
import type { DumpManifest } from '../exactly-once/manifest.js';
import { rankManifestName } from '../exactly-once/merge-manifests.js';
import { readSideFields, type SideFields } from '../side-fields.js';
import { ShardTally } from './shard-tally.js';
import { shardsForRank, type RankAssignment } from './rank.js';
import { augmentStage, type AugmentedSample } from './augment-stage.js';
import { SkipObservingGraph } from './skip-observing-graph.js';

/** Image protocol applied before encoding (recorded in the dump's metadata). */
export interface ImageProtocol {
  readonly crop: 'center' | 'adm' | 'exact';
  readonly size: number;
  /** `fast`: crop inside the decoder (shrink-on-load for large JPEG/WebP); `exact` (default): full decode, then crop. */
  readonly decodeMode?: DecodeMode;
}

/** What every dump row names: its input shard (rows are committed per shard). */
export interface DumpRow {
  readonly shard: string;
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
export interface EncodeDumpJob<Row extends DumpRow, Encoded = Row[]> {
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
  /** Ticked once per row written (runEncodeDump only; a graph runner brings its own progress). */
  readonly progress?: ProgressReporter;
  /** Cancels runEncodeDump (a graph runner passes its own signal to `graph.run`). */
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

/**
 * Reads `shards` one after the other, each with its own reporter (so reader skips and failures name their shard).
 * Described as the whole job (`shard by shard`): the pending list is only known once the committer is open.
 */
function pendingShardsSource(
  job: Pick<EncodeDumpJob<DumpRow, unknown>, 'data' | 'onError' | 'remote' | 'rank'>,
  shards: readonly ShardRef[],
  tally: ShardTally | undefined,
): Source<ShardSample> {
  return {
    name: 'shards',
    describe: () => `shards(${job.data}, rank ${job.rank.rank}/${job.rank.worldSize}, shard by shard, onError ${job.onError})`,
    open: async function* (signal) {
      for (const shard of shards) {
        if (signal.aborted) return;
        const spec = new DatasetSpec({ shards: [shard.url], onError: job.onError, strict: true, ...(job.remote ? { remote: job.remote } : {}) });
        for await (const sample of spec.open({ signal, ...(tally ? { reporter: tally.reporterFor(shard.url) } : {}) })) {
          tally?.read(shard.url);
          yield sample;
        }
      }
    },
  };
}

/** The one graph of a dump: pending shards → decode → crop → [check] → [augment] → batch → sides → encode → sink. */
export function dumpGraph<Row extends DumpRow, Encoded>(
  job: Pick<EncodeDumpJob<Row, Encoded>, 'batchSize' | 'onError' | 'protocol' | 'encodeStage' | 'augment' | 'checkSample'>,
  source: Source<ShardSample>,
  sink: Sink<Encoded>,
  onBatch: (batch: SampleBatch) => void = () => {},
): Graph {
  const cropped = job.protocol.decodeMode === 'fast'
    ? Graph.from(source).pipe(decodeImages({ onError: job.onError, concurrency: 'auto', crop: cropSpec(job.protocol), decodeMode: 'fast' }))
    : Graph.from(source)
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
    .pipe(imageBatches<ImageSample>({ size: job.batchSize }))
    .pipe(
      mapStage(
        'sides',
        (record: { readonly samples: readonly ImageSample[] }) => {
          const batch = toBatch([...record.samples]);
          onBatch(batch);
          return batch;
        },
        { onError: job.onError },
      ),
    )
    .pipe(job.encodeStage)
    .to(sink);
}

function sinkLabel(job: Pick<EncodeDumpJob<DumpRow, unknown>, 'formatLabel' | 'kind' | 'rowsPerFile' | 'rank'>): string {
  return `${job.formatLabel ?? 'arrow'}(${job.kind}, ${job.rowsPerFile} rows/file, exactly once per shard) → ${rankManifestName(job.rank.rank, job.rank.worldSize)}`;
}

/**
 * The dump's graph as `--dry-run` shows it, without opening anything: no lock, no manifest, no shard read. Its sink
 * refuses to be written to; run the graph of {@link prepareEncodeDump} instead.
 */
export function describedDumpGraph<Row extends DumpRow, Encoded>(job: EncodeDumpJob<Row, Encoded>): Graph {
  const placeholder: Sink<Encoded> = {
    name: 'exactly-once',
    describe: () => sinkLabel(job),
    write: () => {
      throw new Error(`${job.kind} dump: the described graph is not runnable (prepareEncodeDump opens the real one)`);
    },
  };
  return dumpGraph(job, pendingShardsSource(job, [], undefined), placeholder);
}

/** The text `--dry-run` prints: the whole job's dataflow. */
export function describeEncodeDump<Row extends DumpRow, Encoded>(job: EncodeDumpJob<Row, Encoded>): string {
  return describedDumpGraph(job).describe();
}

/** Wall time and item counts per stage of the dump's graph (the bench's time split). */
export type StageTotals = Record<string, { busyMs: number; seen: number }>;

/** A rank's dump summary: the exactly-once accounting (seen = written + skipped) plus the run's shape. */
export type EncodeDumpSummary = ExactlyOnceSummary & { readonly shardCount: number; readonly stageTotals: StageTotals };

/**
 * One rank's dump, opened and ready to run: `graph` (run it with any runner: `graph.run()`, the CLI's `runGraph`);
 * then `finish` with its summary, or `abandon` if the run threw.
 */
export interface PreparedEncodeDump {
  readonly graph: Graph;
  /** Shards of this rank (done earlier or pending). */
  readonly shardCount: number;
  /**
   * After the graph ran (ok or cancelled): closes the manifest and the lock and returns the rank's summary. A
   * cancelled run throws DumpCancelledError after closing (finished shards stay recorded; a rerun resumes).
   */
  finish(summary: RunSummary): Promise<EncodeDumpSummary>;
  /** After a failed run: temporaries removed, manifest compacted, lock released. */
  abandon(): Promise<void>;
}

/**
 * Opens this rank's dump: expands the shard spec, takes this rank's shards, opens the committer (lock, fingerprint,
 * leftovers of killed runs; DumpRefusedError when the dump must not start) and builds ONE graph whose exactly-once
 * sink commits each shard at its boundary. The graph accounts its skips per shard itself, whoever runs it.
 */
export async function prepareEncodeDump<Row extends DumpRow, Encoded>(job: EncodeDumpJob<Row, Encoded>): Promise<PreparedEncodeDump> {
  const all = (await expandShardSpec(job.data)).map(shardRef);
  if (all.length < job.rank.worldSize) {
    job.log.warn(`${all.length} shard(s) for ${job.rank.worldSize} ranks: ranks ≥ ${all.length} have nothing to do`);
  }
  const mine = shardsForRank(all, job.rank);
  job.log.info(`rank ${job.rank.rank}/${job.rank.worldSize} (${job.rank.source}): ${mine.length} of ${all.length} shard(s)`);
  const committer = await ShardCommitter.open<Row>({
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
  });
  const views = job.augment ? viewsPerImage(job.augment.mode) : 1;
  const tally = new ShardTally(views, job.log);
  const sink = exactlyOnceSink<Encoded, Row>({
    committer,
    rowsOf: job.rowsOf,
    shardOf: (row) => row.shard,
    resultOf: (shard) => tally.resultOf(shard.url),
    onShardError: job.onError,
    ...(job.progress ? { onRow: () => job.progress?.tick(1) } : {}),
    label: sinkLabel(job),
  });
  const built = dumpGraph(job, pendingShardsSource(job, committer.pending(), tally), sink, (batch) => tally.batch(batch.metas));
  return {
    graph: new SkipObservingGraph(built.spec, (record) => tally.skip(record)),
    shardCount: mine.length,
    async finish(summary) {
      const stageTotals: StageTotals = {};
      for (const stage of summary.stages) stageTotals[stage.name] = { busyMs: stage.busyMs, seen: stage.seen };
      if (views > 1) {
        const augmentStats = summary.stages.find((s) => s.name === 'augment');
        if (augmentStats) job.log.info(`${augmentStats.seen} sample(s) × ${views} views`);
      }
      const result = await committer.close({ cancelled: summary.cancelled });
      return { ...result, shardCount: mine.length, stageTotals };
    },
    abandon: () => committer.abandon(),
  };
}

/**
 * Runs the dump for this rank's shards as ONE graph whose exactly-once sink commits each shard at its boundary
 * (prepare, `graph.run`, finish). Returns the exactly-once summary (seen = written + skipped); throws
 * DumpRefusedError (the folder refuses this job) and DumpCancelledError (`job.signal` fired).
 */
export async function runEncodeDump<Row extends DumpRow, Encoded>(job: EncodeDumpJob<Row, Encoded>): Promise<EncodeDumpSummary> {
  const dump = await prepareEncodeDump(job);
  job.progress?.start(undefined);
  let summary: RunSummary;
  try {
    summary = await dump.graph.run({ log: job.log, ...(job.signal ? { signal: job.signal } : {}) });
  } catch (error) {
    await dump.abandon();
    if (job.signal?.aborted) throw new DumpCancelledError(`${job.kind} dump cancelled (interrupted): finished shards are recorded; rerun the same command to resume`);
    throw error;
  } finally {
    job.progress?.stop();
  }
  return dump.finish(summary);
}
