import fs from 'node:fs';
import { batchSamples, DatasetSpec } from '@vqrae/data';
import {
  checkpointWeights,
  collectEvalResults,
  decodeModeMismatchNote,
  DEFAULT_SSIM_VARIANT,
  EVAL_PARTIAL_FILE,
  evalMetricsMetadata,
  evalReferenceCrops,
  evalSinks,
  FID_INPUT_VARIANTS,
  finishEvalRun,
  loadReferenceStats,
  makeProvenance,
  readEvalPartial,
  readStatsNpz,
  removeEarlierEvalOutputs,
  SSIM_VARIANT_NAMES,
  ssimSelection,
  type EvalCrop,
  type EvalIdentity,
  type FeatureExtractor,
  type FidInputVariant,
} from '@vqrae/eval';
import type { FeatureNetworkChoice } from '@vqrae/onnx';
import { Graph } from '@vqrae/graph';
import { sha256File } from '@vqrae/nn';
import { loadCheckpoint, reconstructStage } from '@vqrae/tokenizer';
import { batchOption, checkpointOption, cropOption, dataOption, defineCommand, intOption, onErrorOption, pathOption, rankFromOptions, requireOptions, stringOption, UsageError } from '../cli/index.js';
import { openCommandEngine } from '../engine/command-engine.js';
import { ENGINE_OPTIONS } from '../engine/engine-options.js';
import { openEvalFeatureNetwork } from '../engine/feature-network-engine.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { shardsForRank } from '@vqrae/tokens';
import { DECODE_MODE_EXACT_DEFAULT, decodeModeOf } from './decode-mode-option.js';

/**
 * `vqrae eval`: the reconstruction-eval graph (model-spec §8.1). shards → decode → crop → batch → reconstruct →
 * fan-out to PSNR/SSIM rows, Fréchet statistics of reconstructions and references, codebook usage and previews.
 * With --rank/--world-size each rank evaluates whole shards and writes mergeable partial results (`merge-eval`).
 */
export const evalCommand = defineCommand({
  name: 'eval',
  description: 'reconstruction eval: PSNR, SSIM, rFID (or an honestly named FD), codebook usage; metrics.arrow + report.html',
  options: {
    checkpoint: checkpointOption(),
    data: dataOption(),
    crop: cropOption(['adm', 'center'], 'adm', 'image protocol (model-spec 8.1: adm)'),
    decodeMode: DECODE_MODE_EXACT_DEFAULT,
    batch: batchOption(16, 'images per forward pass (batches never cross a shard)'),
    fidWeights: pathOption({ description: 'converted FID-Inception weights (safetensors) → rFID[variant]; without them a named FD is reported', mustExist: 'file', placeholder: '<file>' }),
    fidVariant: stringOption({ description: 'FID-Inception input handling', choices: [...FID_INPUT_VARIANTS], default: 'torch-fidelity' }),
    fdNetwork: stringOption({ description: 'feature network without --fid-weights: embedded MobileNetV2, the checkpoint’s own encoder, or none', choices: ['mobilenetv2', 'encoder', 'none'], default: 'mobilenetv2' }),
    featureBatch: intOption({ description: 'images per feature-network forward pass (memory grows with it)', default: 4, min: 1 }),
    ssim: stringOption({ description: "SSIM variant of the 'ssim' column (the others become extra columns)", choices: SSIM_VARIANT_NAMES, default: DEFAULT_SSIM_VARIANT }),
    ssimExtra: stringOption({ description: "further SSIM variants as extra columns: all, none or a comma list (each costs about as much as the first)", default: 'all', placeholder: '<list>' }),
    previews: intOption({ description: 'original/reconstruction pairs kept for the report', default: 16, min: 0 }),
    previewEvery: intOption({ description: 'take the report pairs from every n-th sample (e.g. one crop per photo)', default: 1, min: 1 }),
    referenceStats: pathOption({ description: 'score against these statistics (.npz mu/sigma) instead of this run’s reference crops', mustExist: 'file', placeholder: '<file.npz>' }),
    rank: intOption({ description: 'this process’s rank (default: RANK, SLURM_PROCID or JOB_COMPLETION_INDEX)', min: 0 }),
    worldSize: intOption({ description: 'number of ranks (default: WORLD_SIZE, SLURM_NTASKS, JOB_COMPLETIONS)', min: 1 }),
    onError: onErrorOption(),
    ...ENGINE_OPTIONS,
    ...REMOTE_SHARD_OPTIONS,
  },
  examples: [
    "vqrae eval --checkpoint ck.safetensors --data 'val-{000..009}.tar' --fid-weights fid_inception.safetensors --out runs/eval-val",
    "vqrae eval --checkpoint ck.safetensors --data 'val-{000..009}.tar' --fd-network mobilenetv2 --ssim skimage --out runs/eval-val",
    "RANK=0 WORLD_SIZE=2 vqrae eval --checkpoint ck.safetensors --data 'val-{000..009}.tar' --out runs/eval/rank-0   # then: vqrae merge-eval runs/eval --out runs/eval/merged",
  ],
  async run(ctx) {
    const o = ctx.options;
    const { checkpoint, data } = requireOptions('eval', o, 'checkpoint', 'data');
    const rank = rankFromOptions(o);
    const shards = shardsForRank(await new DatasetSpec({ shards: data }).shards(), rank);
    const partialFile = ctx.runFolder.path(EVAL_PARTIAL_FILE);
    if (!o.dryRun && fs.existsSync(partialFile)) {
      const previous = await readEvalPartial(ctx.runFolder.dir);
      if (previous.rank !== rank.rank || previous.worldSize !== rank.worldSize) {
        throw new UsageError(`eval: ${ctx.runFolder.dir} holds rank ${previous.rank} of ${previous.worldSize}; give every rank its own --out (e.g. runs/eval/rank-$RANK)`);
      }
    }
    const model = await loadCheckpoint(checkpoint);
    // The engine owns the model; `--fd-network encoder` borrows the tfjs model until the engine is disposed.
    const { engine, record } = await openCommandEngine(ctx, model);
    let extractor: FeatureExtractor | null = null;
    try {
      const checkpointSha256 = await sha256File(checkpoint);
      const choice: FeatureNetworkChoice | null = o.fidWeights
        ? { kind: 'fid-inception', weights: o.fidWeights, variant: o.fidVariant as FidInputVariant }
        : o.fdNetwork === 'mobilenetv2' ? { kind: 'mobilenetv2' }
          : o.fdNetwork === 'encoder' ? { kind: 'encoder', model, checkpointSha256 } : null;
      const featureNetwork = await openEvalFeatureNetwork(ctx, choice);
      extractor = featureNetwork.extractor;
      const decodeMode = decodeModeOf(o.decodeMode);
      if (o.referenceStats) {
        if (!extractor) throw new UsageError('eval: --reference-stats needs a feature network (--fid-weights, or --fd-network other than none)');
        await loadReferenceStats(extractor.space, o.referenceStats); // label check before any work
        const note = decodeModeMismatchNote(decodeMode, (await readStatsNpz(o.referenceStats)).decodeMode, ['this run', o.referenceStats]);
        if (note) ctx.log.warn(`eval: ${note}`);
      }
      const ssim = ssimSelection(o.ssim, o.ssimExtra);
      const preset = model.config.preset ?? 'custom';
      const identity: EvalIdentity = {
        checkpoint,
        checkpointSha256,
        preset,
        weights: await checkpointWeights(checkpoint),
        data,
        crop: o.crop as EvalCrop,
        decodeMode,
        inputSize: model.inputSize,
        outputSize: model.outputSize,
        codebookSize: model.config.quantizer.codebookSize,
        tokensPerImage: model.tokensPerImage,
        uint8Rounding: 'round-half-up',
        ssim: ssim.names,
        featureSpace: extractor?.space ?? null,
        referenceStats: o.referenceStats ?? null,
      };
      const fidWeightsSha256 = o.fidWeights ? await sha256File(o.fidWeights) : undefined;
      const provenance = makeProvenance({
        tool: 'vqrae eval',
        command: process.argv.slice(2),
        config: { ...identity, options: o, rank: { rank: rank.rank, worldSize: rank.worldSize, source: rank.source }, backend: ctx.backend.name, engine: record, featureEngine: featureNetwork.record },
        checkpointSha256,
        extra: {
          protocol: `${identity.crop}(${identity.inputSize}), decode ${decodeMode}; reconstructions clamped to [0,1], uint8 round half up; PSNR mean of per-image`,
          ...(fidWeightsSha256 ? { fid_weights_sha256: fidWeightsSha256 } : {}),
          rank: `${rank.rank} of ${rank.worldSize}`,
        },
      });
      const removed = o.dryRun ? [] : await removeEarlierEvalOutputs(ctx.runFolder.dir);
      if (removed.length > 0) ctx.log.info(`eval: removed ${removed.length} output(s) of an earlier eval in ${ctx.runFolder.dir} (${removed.join(', ')})`);
      // shards (this rank's) → decode → crop (input size; reference at output size) → batch (within shard) →
      // reconstruct (clamp, uint8 round half up) → { metrics.arrow | FD reconstructions | FD references | codebook | previews }.
      const onError = o.onError as 'throw' | 'skip';
      const sinks = evalSinks({
        metricsPath: ctx.runFolder.path('metrics.arrow'),
        ssim,
        provenance,
        metadata: evalMetricsMetadata(identity, rank),
        extractor,
        featureBatch: o.featureBatch,
        referenceStats: o.referenceStats !== undefined,
        codebookSize: identity.codebookSize,
        previews: { dir: ctx.runFolder.dir, count: o.previews, every: o.previewEvery },
      });
      const spec = new DatasetSpec({ shards: data, onError, remote: remoteShardOptions(o, ctx.log) });
      const source = Graph.from(spec.asSource({ rank: rank.rank, worldSize: rank.worldSize }));
      const protocol = { crop: identity.crop, decodeMode, inputSize: engine.inputSize, outputSize: engine.outputSize, onError };
      const graph = evalReferenceCrops(source, protocol)
        .pipe(batchSamples({ size: o.batch, withinShard: true }))
        .pipe(reconstructStage(engine, { label: `${preset}, k=${identity.codebookSize}, round-half-up uint8` }))
        .to(...sinks);
      if (o.dryRun) {
        ctx.print(graph.describe());
        ctx.print(`rank ${rank.rank} of ${rank.worldSize} (${rank.source}): ${shards.length} shard(s): ${shards.join(', ')}`);
        return { summary: { dryRun: true, shards } };
      }
      ctx.log.info(`eval: rank ${rank.rank} of ${rank.worldSize} (${rank.source}), ${shards.length} shard(s)`);
      const outcome = await ctx.runGraph('eval', graph);
      if (outcome.exitCode !== 0) return { exitCode: outcome.exitCode };
      const results = collectEvalResults(outcome.summary, model.config.quantizer.codebookSize);
      return await finishEvalRun({ ctx: { dir: ctx.runFolder.dir, log: ctx.log, print: ctx.print }, rank, shards, identity, provenance, results, previews: o.previews });
    } finally {
      extractor?.dispose();
      await engine.dispose();
    }
  },
});
