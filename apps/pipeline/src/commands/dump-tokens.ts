import { sha256File } from '@vqrae/nn';
import { loadCheckpoint, tokenizeStage, type TokenOutputs } from '@vqrae/tokenizer';
import {
  encodeTokenTable,
  provenanceMetadata,
  rowSequence,
  sequencesOfRows,
  softwareVersions,
  tokenDtypeFor,
  tokenPartEncoder,
  tokenRowsOf,
  type EncodeDumpJob,
  type SampleBatch,
  type TokenRow,
  writeVocabJson,
} from '@vqrae/tokens';
import { booleanOption, defineCommand, dumpOptions, requireOptions, stringOption } from '../cli/index.js';
import { openCommandEngine } from '../engine/command-engine.js';
import { imageProtocolOf, runDumpCommand, sharedDumpJob } from '../dump/run-dump-command.js';
import { dumpSequencing, SEQUENCE_OPTIONS, tokenFormatsOption } from '../dump/sequence-options.js';

/**
 * `vqrae dump-tokens`: tokenises a WebDataset corpus once for LLM pretraining. One Arrow row per image (key, shard,
 * tokens as fixed-size uint16/int32 list, grid shape, pass-through label/caption/json); exactly once per input shard,
 * resumable after a kill, split across ranks by whole shards.
 */
export const dumpTokensCommand = defineCommand({
  name: 'dump-tokens',
  description: 'tokenise images (WebDataset shards) into Arrow files of discrete tokens, exactly once per shard',
  options: {
    ...dumpOptions({ checkpoint: 'VQRAE checkpoint (.safetensors, or a shipped name: vqrae info); the model is rebuilt from it alone', rowsPerFile: 10000 }),
    format: stringOption({ description: 'output formats, comma-separated: arrow, parquet, megatron, wds, jsonl (each shard commits all of them as one unit)', default: 'arrow', placeholder: '<list>' }),
    noPassThrough: booleanOption({ description: 'do not copy .cls/.txt/.json members into label/caption/json columns', default: false }),
    ...SEQUENCE_OPTIONS,
  },
  examples: [
    "vqrae dump-tokens --checkpoint ck.safetensors --data 'val-{000000..000009}.tar' --out tokens/val",
    "RANK=0 WORLD_SIZE=4 vqrae dump-tokens --checkpoint ck.safetensors --data 'train-{000000..001023}.tar' --out tokens/train",
  ],
  async run(ctx) {
    const o = ctx.options;
    const { checkpoint } = requireOptions('dump-tokens', o, 'checkpoint');
    const shared = sharedDumpJob('dump-tokens', o, ctx);
    const formats = tokenFormatsOption(o.format);
    const model = await loadCheckpoint(checkpoint);
    const { engine, record } = await openCommandEngine(ctx, model);
    try {
      const grid = Math.round(Math.sqrt(model.tokensPerImage));
      const codebookSize = model.config.quantizer.codebookSize;
      const sequencing = dumpSequencing(o, { codebookSize, grid: [grid, grid], inputSize: model.inputSize });
      const augmented = sequencing.augment !== 'none';
      const historical = sequencing.bare && !augmented; // bare codes, one row per image: no sequence record
      const protocol = imageProtocolOf(o, sequencing.cropSize);
      const { rank } = shared;
      const checkpointSha256 = await sha256File(checkpoint);
      const provenance = {
        kind: 'tokens',
        checkpoint_sha256: checkpointSha256,
        checkpoint,
        preset: model.config.preset ?? 'custom',
        codebook_size: codebookSize,
        token_dtype: tokenDtypeFor(codebookSize),
        image_protocol: protocol,
        config: model.config,
        data: shared.data,
        rank: { rank: rank.rank, world_size: rank.worldSize },
        backend: ctx.backend.name,
        engine: record,
        versions: softwareVersions(),
        ...(formats.join(',') !== 'arrow' ? { formats } : {}),
        ...(historical ? {} : { sequence: sequencing.record }),
      };
      const passThrough = !o.noPassThrough;
      const layout = { gridH: grid, gridW: grid, codebookSize, passThrough: { label: passThrough, caption: passThrough, json: passThrough }, metadata: provenanceMetadata(provenance) };
      const job: EncodeDumpJob<TokenRow, SampleBatch & TokenOutputs> = {
        ...shared,
        kind: 'tokens',
        protocol,
        ...(augmented ? { augment: { mode: sequencing.augment, size: model.inputSize } } : {}),
        ...(sequencing.checkSample ? { checkSample: sequencing.checkSample } : {}),
        encodeStage: tokenizeStage<SampleBatch>(engine, { label: `${model.config.preset ?? 'custom'}, k=${codebookSize}`, onError: shared.onError }),
        rowsOf: tokenRowsOf,
        encodeFile:
          formats.length === 1 && formats[0] === 'arrow' && historical
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
                historical ? (rows) => rows.map((row) => rowSequence(row, [grid, grid])) : (rows) => sequencesOfRows(sequencing.layer, rows),
              ),
        formatLabel: formats.join('+'),
        fingerprint: {
          kind: 'tokens',
          checkpoint_sha256: checkpointSha256,
          crop: protocol.crop,
          size: protocol.size,
          decode_mode: protocol.decodeMode ?? 'exact',
          pass_through: passThrough,
          data: shared.data,
          ...(formats.join(',') !== 'arrow' ? { formats: formats.join(',') } : {}),
          ...(historical ? {} : { sequence: JSON.stringify(sequencing.record) }),
        },
        provenance,
      };
      // vocab.json: which ids to add to the LLM (identical on every rank; written before any shard so it exists as
      // soon as the first part does).
      if (!historical && !o.dryRun) ctx.log.info(`vocabulary: ${await writeVocabJson(ctx.runFolder.dir, sequencing.plan)}`);
      const summary = await runDumpCommand('dump-tokens', job, ctx);
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
