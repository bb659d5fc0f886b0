import { batchSamples, DatasetSpec, decodeCropped, pngFolderSink, reconstructionImages, type CropSpec, type ImageSample } from '@vqrae/data';
import { Graph } from '@vqrae/graph';
import { loadCheckpoint, reconstructStage } from '@vqrae/tokenizer';
import { batchOption, booleanOption, checkpointOption, cropOption, dataOption, defineCommand, intOption, onErrorOption, requireOptions } from '../cli/index.js';
import { openCommandEngine } from '../engine/command-engine.js';
import { ENGINE_OPTIONS } from '../engine/engine-options.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { clearEarlierOutputs } from '../images/earlier-outputs.js';
import { DECODE_MODE_EXACT_DEFAULT, decodeModeOf } from './decode-mode-option.js';

/** `vqrae reconstruct`: images → tokens → images, written as PNG (optionally original | reconstruction side by side). */
export const reconstructCommand = defineCommand({
  name: 'reconstruct',
  description: 'reconstruct images through the tokenizer (encode → quantize → decode) for inspection',
  options: {
    checkpoint: checkpointOption(),
    data: dataOption(),
    crop: cropOption(['center', 'adm', 'exact'], 'center'),
    decodeMode: DECODE_MODE_EXACT_DEFAULT,
    batch: batchOption(16),
    limit: intOption({ description: 'stop after this many images', min: 1 }),
    sideBySide: booleanOption({ description: 'write original | reconstruction pairs', default: false }),
    onError: onErrorOption('bad samples: stop or skip'),
    prefixShard: booleanOption({ description: 'name outputs <shard>/<key> (for data whose keys repeat across shards; otherwise a repeated key is refused)', default: false }),
    overwrite: booleanOption({ description: 'replace the images of an earlier reconstruct in --out (removed first); without it they are refused', default: false }),
    ...ENGINE_OPTIONS,
    ...REMOTE_SHARD_OPTIONS,
  },
  examples: ["vqrae reconstruct --checkpoint ck.safetensors --data 'val-000000.tar' --limit 16 --side-by-side --out recon/"],
  async run(ctx) {
    const o = ctx.options;
    const { checkpoint, data } = requireOptions('reconstruct', o, 'checkpoint', 'data');
    const onError = o.onError as 'throw' | 'skip';
    const removed = await clearEarlierOutputs('reconstruct', { folder: ctx.runFolder.path('images') }, { overwrite: o.overwrite, dryRun: o.dryRun });
    if (removed > 0) ctx.log.info(`reconstruct: --overwrite removed ${removed} file(s) of an earlier run`);
    const model = await loadCheckpoint(checkpoint);
    const preset = model.config.preset ?? 'custom';
    const { engine, record } = await openCommandEngine(ctx, model);
    try {
      const spec = new DatasetSpec({ shards: data, onError, remote: remoteShardOptions(o, ctx.log), ...(o.limit !== undefined ? { limit: o.limit } : {}) });
      const crop: CropSpec = { protocol: o.crop as 'center' | 'adm' | 'exact', size: engine.inputSize };
      const decodeMode = decodeModeOf(o.decodeMode);
      // fast crops inside the decoder (shrink-on-load); exact decodes in full, then crops (the reference protocol).
      const graph = decodeCropped(Graph.from(spec.asSource()), { crop, decodeMode, onError })
        .pipe(batchSamples<ImageSample>({ size: o.batch }))
        .pipe(reconstructStage(engine, { label: preset }))
        .pipe(reconstructionImages({ sideBySide: o.sideBySide }))
        .to(pngFolderSink(ctx.runFolder.path('images'), { prefixShard: o.prefixShard }));
      if (o.dryRun) {
        ctx.print(graph.describe());
        return { summary: { dryRun: true } };
      }
      const outcome = await ctx.runGraph('reconstruct', graph);
      const written = (outcome.summary.sinks[0]?.result as { written?: number } | undefined)?.written ?? 0;
      ctx.print(`reconstruct: ${written} PNG(s) in ${ctx.runFolder.path('images')} (decode ${decodeMode})`);
      return { summary: { engine: record, decodeMode } };
    } finally {
      await engine.dispose();
    }
  },
});
