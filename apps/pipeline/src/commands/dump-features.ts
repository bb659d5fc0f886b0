import path from 'node:path';
import { createProgress } from '@vqrae/graph';
import { sha256File } from '@vqrae/nn';
import { featuresStage, loadCheckpoint, loadHfSiglip, tfjsFeatureEngine, type EncoderGeometry, type FeatureEngine, type FeatureOutputs } from '@vqrae/tokenizer';
import { defineCommand, intOption, pathOption, stringOption, UsageError, type CommandContext } from '../cli/index.js';
import type { EncodeDumpJob, ImageProtocol, SampleBatch } from '../dump/encode-dump.js';
import { DECODE_MODE_FAST_DEFAULT, decodeModeOf } from './decode-mode-option.js';
import { runDumpCommand } from '../dump/run-dump-command.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { encodeFeatureTable, type FeatureRow } from '@vqrae/tokens';
import { featureRowsOf } from '../dump/model-rows.js';
import { provenanceMetadata, softwareVersions } from '../dump/provenance.js';
import { rankFromOptions } from '../dump/rank.js';
import { openCommandEngine, recordEngine } from '../engine/command-engine.js';
import { ENGINE_OPTIONS, type EngineOptions } from '../engine/engine-options.js';
import { tfjsOnlyRecord, type EngineRecord } from '../engine/select-engine.js';

/** The encoder to dump from, behind an engine that owns its weights. */
interface LoadedEncoder {
  readonly engine: FeatureEngine;
  readonly record: EngineRecord;
  readonly geometry: EncoderGeometry;
  readonly label: string;
  readonly identity: Record<string, unknown>;
}

type FeatureContext = Pick<CommandContext<Record<string, never>>, 'backend' | 'log' | 'runFolder'> & { readonly options: EngineOptions };

async function loadEncoder(o: { checkpoint?: string | undefined; hf?: string | undefined }, ctx: FeatureContext): Promise<LoadedEncoder> {
  if (o.checkpoint && o.hf) throw new UsageError('dump-features: give either --checkpoint or --hf, not both');
  if (o.hf) {
    const why = '--hf towers run on tfjs (the ONNX export needs a VQRAE checkpoint)';
    const label = `siglip(${path.basename(path.resolve(o.hf))})`;
    const chosen = tfjsOnlyRecord(ctx.options, ctx.backend.name, `tfjs(${ctx.backend.name})`, why);
    const weights = path.join(o.hf, 'model.safetensors');
    const identity = { source: 'hf', dir: o.hf, weights_sha256: await sha256File(weights) };
    const loaded = await loadHfSiglip({ dir: o.hf });
    ctx.log.info(chosen.message);
    recordEngine(ctx.runFolder, chosen.record);
    return {
      engine: tfjsFeatureEngine(loaded.encoder, loaded.params, () => loaded.params.dispose(), chosen.record.label),
      record: chosen.record,
      geometry: loaded.encoder.geometry,
      label,
      identity: { ...identity, encoder_config: loaded.config },
    };
  }
  if (o.checkpoint) {
    const checkpointSha256 = await sha256File(o.checkpoint);
    const model = await loadCheckpoint(o.checkpoint);
    const label = `${model.config.preset ?? 'custom'} encoder (${model.config.encoder.kind})`;
    const geometry = model.encoder.geometry;
    const identity = { source: 'checkpoint', checkpoint: o.checkpoint, checkpoint_sha256: checkpointSha256, config: model.config };
    const { engine, record } = await openCommandEngine(ctx, model);
    return { engine, record, geometry, label, identity };
  }
  throw new UsageError('dump-features: --checkpoint <file> or --hf <folder with config.json and model.safetensors> is required');
}

/**
 * `vqrae dump-features`: the continuous features Z_I (understanding path) per image as Arrow, per-token or
 * mean-pooled, float32 or float16; same keys, manifest, exactly-once and rank split as dump-tokens.
 */
export const dumpFeaturesCommand = defineCommand({
  name: 'dump-features',
  description: 'dump continuous encoder features Z_I (understanding path) per image as Arrow, exactly once per shard',
  options: {
    checkpoint: pathOption({ description: 'VQRAE checkpoint (uses its encoder): a .safetensors file or a shipped name (vqrae info)', mustExist: 'file', shipped: true, placeholder: '<file|name>' }),
    hf: pathOption({ description: 'Hugging Face SigLIP folder (config.json + model.safetensors; only vision_model.* is read)', mustExist: 'dir', placeholder: '<dir>' }),
    data: stringOption({ description: "shard spec, e.g. 'val-{000000..000009}.tar'", placeholder: '<spec>' }),
    crop: stringOption({ description: 'image protocol (an image already at the input size is not resampled)', choices: ['center', 'adm', 'exact'], default: 'center' }),
    decodeMode: DECODE_MODE_FAST_DEFAULT,
    size: intOption({ description: 'input size (must equal the encoder’s fixed resolution; default: the encoder’s)', min: 1 }),
    pool: stringOption({ description: 'per-token features, or their mean over tokens', choices: ['none', 'mean'], default: 'none' }),
    dtype: stringOption({ description: 'stored float type', choices: ['f32', 'f16'], default: 'f32' }),
    batch: intOption({ description: 'images per forward pass (never across a shard)', default: 16, min: 1 }),
    rowsPerFile: intOption({ description: 'rows per Arrow file', default: 2000, min: 1 }),
    onError: stringOption({ description: 'bad samples/shards: stop or skip', choices: ['throw', 'skip'], default: 'throw' }),
    rank: intOption({ description: 'this process’s rank (default from RANK / SLURM_PROCID / JOB_COMPLETION_INDEX)', min: 0 }),
    worldSize: intOption({ description: 'number of ranks', min: 1 }),
    ...ENGINE_OPTIONS,
    ...REMOTE_SHARD_OPTIONS,
  },
  examples: [
    "vqrae dump-features --hf ~/siglip2-so400m-patch16-256 --data 'val-{000000..000009}.tar' --pool mean --dtype f16 --out feats/val",
    "vqrae dump-features --checkpoint ck.safetensors --data 'val-000000.tar' --out feats/val",
  ],
  async run(ctx) {
    const o = ctx.options;
    if (!o.data) throw new UsageError('dump-features: --data is required');
    if (o.out === undefined) throw new UsageError('dump-features: --out <dir> is required (rerun with the same --out to resume)');
    const rank = rankFromOptions(o);
    const loaded = await loadEncoder(o, ctx);
    try {
      const geometry = loaded.geometry;
      if (o.size !== undefined && o.size !== geometry.imageSize) {
        throw new UsageError(`dump-features: --size ${o.size} differs from the encoder's fixed resolution ${geometry.imageSize} (fixed-resolution towers only)`);
      }
      const protocol: ImageProtocol = { crop: o.crop as ImageProtocol['crop'], decodeMode: decodeModeOf(o.decodeMode), size: geometry.imageSize };
      const pool = o.pool as 'none' | 'mean';
      const tokens = pool === 'mean' ? 1 : geometry.gridSize * geometry.gridSize;
      const provenance = {
        kind: 'features',
        encoder: loaded.label,
        ...loaded.identity,
        pool,
        dtype: o.dtype,
        image_protocol: protocol,
        data: o.data,
        rank: { rank: rank.rank, world_size: rank.worldSize },
        backend: ctx.backend.name,
        engine: loaded.record,
        versions: softwareVersions(),
      };
      const layout = {
        tokens,
        dim: geometry.width,
        gridH: geometry.gridSize,
        gridW: geometry.gridSize,
        dtype: o.dtype as 'f16' | 'f32',
        passThrough: { label: true, caption: true, json: true },
        metadata: provenanceMetadata(provenance),
      };
      const onError = o.onError as 'throw' | 'skip';
      const job: EncodeDumpJob<FeatureRow, SampleBatch & FeatureOutputs> = {
        kind: 'features',
        data: o.data,
        remote: remoteShardOptions(o, ctx.log),
        outDir: ctx.runFolder.dir,
        rank,
        batchSize: o.batch,
        rowsPerFile: o.rowsPerFile,
        onError,
        protocol,
        encodeStage: featuresStage<SampleBatch>(loaded.engine, { label: loaded.label, pool, onError }),
        rowsOf: featureRowsOf,
        encodeFile: (rows) => encodeFeatureTable(rows, layout),
        fingerprint: { kind: 'features', encoder: JSON.stringify(loaded.identity), crop: protocol.crop, decode_mode: protocol.decodeMode ?? 'exact', pool, dtype: o.dtype, data: o.data },
        provenance,
        log: ctx.log,
        progress: createProgress({ mode: o.quiet ? 'quiet' : 'auto', label: 'dump-features' }),
      };
      const summary = await runDumpCommand('dump-features', job, ctx);
      if (!summary) return { summary: { dryRun: true } };
      ctx.print(
        `dump-features: ${summary.written} images × ${tokens} × ${geometry.width} (${o.dtype}) in ${summary.manifest.outputs.length} file(s); ` +
          `seen ${summary.seen} = written ${summary.written} + skipped ${summary.skipped}`,
      );
      return { summary: { seen: summary.seen, written: summary.written, skipped: summary.skipped, engine: loaded.record } };
    } finally {
      await loaded.engine.dispose();
    }
  },
});
