import path from 'node:path';
import { sha256File } from '@vqrae/nn';
import { featuresStage, loadCheckpoint, loadHfSiglip, tfjsFeatureEngine, type EncoderGeometry, type FeatureEngine, type FeatureOutputs } from '@vqrae/tokenizer';
import { encodeFeatureTable, featureRowsOf, provenanceMetadata, softwareVersions, type EncodeDumpJob, type FeatureRow, type SampleBatch } from '@vqrae/tokens';
import { defineCommand, dumpOptions, intOption, pathOption, stringOption, UsageError, type CommandContext } from '../cli/index.js';
import { imageProtocolOf, runDumpCommand, sharedDumpJob } from '../dump/run-dump-command.js';
import { openCommandEngine, recordEngine } from '../engine/command-engine.js';
import type { EngineOptions } from '../engine/engine-options.js';
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
    ...dumpOptions({ checkpoint: 'VQRAE checkpoint (uses its encoder): a .safetensors file or a shipped name (vqrae info)', rowsPerFile: 2000 }),
    hf: pathOption({ description: 'Hugging Face SigLIP folder (config.json + model.safetensors; only vision_model.* is read)', mustExist: 'dir', placeholder: '<dir>' }),
    size: intOption({ description: 'input size (must equal the encoder’s fixed resolution; default: the encoder’s)', min: 1 }),
    pool: stringOption({ description: 'per-token features, or their mean over tokens', choices: ['none', 'mean'], default: 'none' }),
    dtype: stringOption({ description: 'stored float type', choices: ['f32', 'f16'], default: 'f32' }),
  },
  examples: [
    "vqrae dump-features --hf ~/siglip2-so400m-patch16-256 --data 'val-{000000..000009}.tar' --pool mean --dtype f16 --out feats/val",
    "vqrae dump-features --checkpoint ck.safetensors --data 'val-000000.tar' --out feats/val",
  ],
  async run(ctx) {
    const o = ctx.options;
    const shared = sharedDumpJob('dump-features', o, ctx);
    const { rank } = shared;
    const loaded = await loadEncoder(o, ctx);
    try {
      const geometry = loaded.geometry;
      if (o.size !== undefined && o.size !== geometry.imageSize) {
        throw new UsageError(`dump-features: --size ${o.size} differs from the encoder's fixed resolution ${geometry.imageSize} (fixed-resolution towers only)`);
      }
      const protocol = imageProtocolOf(o, geometry.imageSize);
      const pool = o.pool as 'none' | 'mean';
      const tokens = pool === 'mean' ? 1 : geometry.gridSize * geometry.gridSize;
      const provenance = {
        kind: 'features',
        encoder: loaded.label,
        ...loaded.identity,
        pool,
        dtype: o.dtype,
        image_protocol: protocol,
        data: shared.data,
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
      const job: EncodeDumpJob<FeatureRow, SampleBatch & FeatureOutputs> = {
        ...shared,
        kind: 'features',
        protocol,
        encodeStage: featuresStage<SampleBatch>(loaded.engine, { label: loaded.label, pool, onError: shared.onError }),
        rowsOf: featureRowsOf,
        encodeFile: (rows) => encodeFeatureTable(rows, layout),
        fingerprint: { kind: 'features', encoder: JSON.stringify(loaded.identity), crop: protocol.crop, decode_mode: protocol.decodeMode ?? 'exact', pool, dtype: o.dtype, data: shared.data },
        provenance,
      };
      const summary = await runDumpCommand('dump-features', job, ctx);
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
