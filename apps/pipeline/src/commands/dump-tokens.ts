import { sha256File } from '@vqrae/nn';
import { loadCheckpoint, tokenizeStage, type TokenOutputs } from '@vqrae/tokenizer';
import { createProgress } from '@vqrae/graph';
import {
  booleanOption,
  defineCommand,
  intOption,
  pathOption,
  stringOption,
  UsageError,
} from '../cli/index.js';
import type { EncodeDumpJob, ImageProtocol, SampleBatch } from '../dump/encode-dump.js';
import { DECODE_MODE_FAST_DEFAULT, decodeModeOf } from './decode-mode-option.js';
import { tokenRowsOf } from '../dump/model-rows.js';
import { ENGINE_OPTIONS } from '../engine/engine-options.js';
import { openCommandEngine } from '../engine/command-engine.js';
import { runDumpCommand } from '../dump/run-dump-command.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { provenanceMetadata, softwareVersions } from '../dump/provenance.js';
import { rankFromOptions } from '../dump/rank.js';
import { encodeTokenTable, tokenDtype, type TokenRow } from '../dump/token-table.js';
import { rowSequence, tokenFormatsOption, tokenPartEncoder } from '../dump/token-formats.js';
import { dumpSequencing, SEQUENCE_OPTIONS, writeVocabJson } from '../dump/sequence-options.js';
import { sequencesOfRows } from '../dump/sequence-rows.js';

/**
 * `vqrae dump-tokens`: tokenises a WebDataset corpus once for LLM pretraining. One Arrow row per image (key, shard,
 * tokens as fixed-size uint16/int32 list, grid shape, pass-through label/caption/json); exactly once per input shard,
 * resumable after a kill, split across ranks by whole shards.
 */
export const dumpTokensCommand = defineCommand({
  name: 'dump-tokens',
  description: 'tokenise images (WebDataset shards) into Arrow files of discrete tokens, exactly once per shard',
  options: {
    checkpoint: pathOption({ description: 'VQRAE checkpoint (.safetensors, or a shipped name: vqrae info); the model is rebuilt from it alone', mustExist: 'file', shipped: true, placeholder: '<file|name>' }),
    data: stringOption({ description: "shard spec, e.g. 'val-{000000..000009}.tar' (quote it)", placeholder: '<spec>' }),
    batch: intOption({ description: 'images per forward pass (batches never cross a shard)', default: 16, min: 1 }),
    crop: stringOption({ description: 'image protocol before encoding', choices: ['center', 'adm', 'exact'], default: 'center' }),
    decodeMode: DECODE_MODE_FAST_DEFAULT,
    rowsPerFile: intOption({ description: 'rows per output part (files roll over within a shard)', default: 10000, min: 1 }),
    onError: stringOption({ description: 'bad samples/shards: stop, or skip them (counted, logged, listed in the manifest)', choices: ['throw', 'skip'], default: 'throw' }),
    rank: intOption({ description: 'this process’s rank (default: RANK, SLURM_PROCID or JOB_COMPLETION_INDEX)', min: 0 }),
    worldSize: intOption({ description: 'number of ranks (default: WORLD_SIZE, SLURM_NTASKS, JOB_COMPLETIONS)', min: 1 }),
    format: stringOption({ description: 'output formats, comma-separated: arrow, parquet, megatron, wds, jsonl (each shard commits all of them as one unit)', default: 'arrow', placeholder: '<list>' }),
    noPassThrough: booleanOption({ description: 'do not copy .cls/.txt/.json members into label/caption/json columns', default: false }),
    ...SEQUENCE_OPTIONS,
    ...ENGINE_OPTIONS,
    ...REMOTE_SHARD_OPTIONS,
  },
  examples: [
    "vqrae dump-tokens --checkpoint ck.safetensors --data 'val-{000000..000009}.tar' --out tokens/val",
    "RANK=0 WORLD_SIZE=4 vqrae dump-tokens --checkpoint ck.safetensors --data 'train-{000000..001023}.tar' --out tokens/train",
  ],
  async run(ctx) {
    const o = ctx.options;
    if (!o.checkpoint) throw new UsageError('dump-tokens: --checkpoint is required');
    if (!o.data) throw new UsageError('dump-tokens: --data is required');
    if (o.out === undefined) throw new UsageError('dump-tokens: --out <dir> is required (the dump folder; rerun with the same --out to resume)');
    const formats = tokenFormatsOption(o.format);
    const rank = rankFromOptions(o);
    const model = await loadCheckpoint(o.checkpoint);
    const { engine, record } = await openCommandEngine(ctx, model);
    try {
      const grid = Math.round(Math.sqrt(model.tokensPerImage));
      const codebookSize = model.config.quantizer.codebookSize;
      const sequencing = dumpSequencing(o, { codebookSize, grid: [grid, grid], inputSize: model.inputSize });
      const augmented = sequencing.augment !== 'none';
      const protocol: ImageProtocol = { crop: o.crop as ImageProtocol['crop'], decodeMode: decodeModeOf(o.decodeMode), size: sequencing.cropSize };
      const checkpointSha256 = await sha256File(o.checkpoint);
      const provenance = {
        kind: 'tokens',
        checkpoint_sha256: checkpointSha256,
        checkpoint: o.checkpoint,
        preset: model.config.preset ?? 'custom',
        codebook_size: codebookSize,
        token_dtype: tokenDtype(codebookSize),
        image_protocol: protocol,
        config: model.config,
        data: o.data,
        rank: { rank: rank.rank, world_size: rank.worldSize },
        backend: ctx.backend.name,
        engine: record,
        versions: softwareVersions(),
        ...(formats.join(',') !== 'arrow' ? { formats } : {}),
        ...(sequencing.bare && !augmented ? {} : { sequence: sequencing.record }),
      };
      const passThrough = !o.noPassThrough;
      const layout = {
        gridH: grid,
        gridW: grid,
        codebookSize,
        passThrough: { label: passThrough, caption: passThrough, json: passThrough },
        metadata: provenanceMetadata(provenance),
      };
      const job: EncodeDumpJob<TokenRow, SampleBatch & TokenOutputs> = {
        kind: 'tokens',
        data: o.data,
        remote: remoteShardOptions(o, ctx.log),
        outDir: ctx.runFolder.dir,
        rank,
        batchSize: o.batch,
        rowsPerFile: o.rowsPerFile,
        onError: o.onError as 'throw' | 'skip',
        protocol,
        ...(augmented ? { augment: { mode: sequencing.augment, size: model.inputSize } } : {}),
        ...(sequencing.checkSample ? { checkSample: sequencing.checkSample } : {}),
        encodeStage: tokenizeStage<SampleBatch>(engine, { label: `${model.config.preset ?? 'custom'}, k=${codebookSize}`, onError: o.onError as 'throw' | 'skip' }),
        rowsOf: tokenRowsOf,
        encodeFile:
          formats.length === 1 && formats[0] === 'arrow' && sequencing.bare && !augmented
            ? (rows) => encodeTokenTable(rows, layout) // the historical layout, byte for byte
            : tokenPartEncoder<TokenRow>(
                formats,
                {
                  vocabSize: sequencing.plan.vocabSize,
                  codebookSize,
                  grid: [grid, grid],
                  side: { cls: passThrough, txt: passThrough, json: passThrough },
                  withAug: augmented,
                  withCodes: !sequencing.bare,
                  metadata: layout.metadata,
                },
                sequencing.bare && !augmented ? (rows) => rows.map((row) => rowSequence(row, [grid, grid])) : (rows) => sequencesOfRows(sequencing.layer, rows),
              ),
        formatLabel: formats.join('+'),
        fingerprint: {
          kind: 'tokens',
          checkpoint_sha256: checkpointSha256,
          crop: protocol.crop,
          size: protocol.size,
          decode_mode: protocol.decodeMode ?? 'exact',
          pass_through: passThrough,
          data: o.data,
          ...(formats.join(',') !== 'arrow' ? { formats: formats.join(',') } : {}),
          ...(sequencing.bare && !augmented ? {} : { sequence: JSON.stringify(sequencing.record) }),
        },
        provenance,
        log: ctx.log,
        progress: createProgress({ mode: o.quiet ? 'quiet' : 'auto', label: 'dump-tokens' }),
      };
      // vocab.json: which ids to add to the LLM (identical on every rank; written before any shard so it exists as
      // soon as the first part does).
      if ((!sequencing.bare || augmented) && !o.dryRun) ctx.log.info(`vocabulary: ${await writeVocabJson(ctx.runFolder.dir, sequencing.plan)}`);
      const summary = await runDumpCommand('dump-tokens', job, ctx);
      if (!summary) return { summary: { dryRun: true } };
      const files = summary.manifest.outputs.length;
      ctx.print(
        `dump-tokens: ${summary.written} ${augmented ? `image views (--augment ${sequencing.augment})` : 'images'} → ${summary.written * model.tokensPerImage} tokens in ${files} file(s); ` +
          `seen ${summary.seen} = written ${summary.written} + skipped ${summary.skipped}; ` +
          `shards ${summary.shardsDone}/${summary.shardCount} done (${summary.shardsResumed} resumed, ${summary.shardsFailed} failed)`,
      );
      const split = Object.entries(summary.stageTotals).map(([name, t]) => `${name} ${(t.busyMs / 1000).toFixed(1)}s`);
      ctx.log.info(`time per stage (busy): ${[...split, `write ${(summary.writeMs / 1000).toFixed(1)}s`].join(', ')}`);
      const skips = summary.manifest.inputs.flatMap((i) => i.skips.map((s) => `${i.shard} ${s.key}: ${s.reason}`));
      for (const line of skips.slice(0, 20)) ctx.log.warn(`skipped ${line}`);
      return {
        exitCode: 0,
        summary: {
          seen: summary.seen,
          written: summary.written,
          skipped: summary.skipped,
          shards: summary.shardCount,
          failedShards: summary.shardsFailed,
          stageBusyMs: { ...Object.fromEntries(Object.entries(summary.stageTotals).map(([k, t]) => [k, t.busyMs])), write: summary.writeMs },
          engine: record,
        },
      };
    } finally {
      await engine.dispose();
    }
  },
});
