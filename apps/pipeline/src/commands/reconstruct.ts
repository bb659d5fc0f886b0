import { DatasetSpec, cropImages, decodeImages, type CropSpec, type ImageSample } from '@vqrae/data';
import { Graph, batchStage, mapStage } from '@vqrae/graph';
import { loadCheckpoint, reconstructStage, type DecodedOutputs, type ImageBatchRecord } from '@vqrae/tokenizer';
import { booleanOption, defineCommand, intOption, pathOption, stringOption, UsageError } from '../cli/index.js';
import { openCommandEngine } from '../engine/command-engine.js';
import { ENGINE_OPTIONS } from '../engine/engine-options.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { clearEarlierOutputs } from '../images/earlier-outputs.js';
import { pngFolderSink, type OutputImage } from '../images/image-output.js';
import { DECODE_MODE_EXACT_DEFAULT, decodeModeOf } from './decode-mode-option.js';

/** Original | reconstruction side by side (when the heights agree), else the reconstruction alone. */
function outputImages(batch: ImageBatchRecord & DecodedOutputs, sideBySide: boolean): OutputImage[] {
  const size = batch.outputSize;
  return batch.images.map((image, i) => {
    const decoded = batch.decoded[i]!;
    const { key, shard } = batch.metas[i]!;
    if (!sideBySide || image.height !== size) return { key, shard, width: size, height: size, rgb: decoded };
    const w = image.width + size;
    const rgb = new Uint8Array(size * w * 3);
    for (let y = 0; y < size; y++) {
      rgb.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), y * w * 3);
      rgb.set(decoded.subarray(y * size * 3, (y + 1) * size * 3), (y * w + image.width) * 3);
    }
    return { key, shard, width: w, height: size, rgb };
  });
}

/** `vqrae reconstruct`: images → tokens → images, written as PNG (optionally original | reconstruction side by side). */
export const reconstructCommand = defineCommand({
  name: 'reconstruct',
  description: 'reconstruct images through the tokenizer (encode → quantize → decode) for inspection',
  options: {
    checkpoint: pathOption({ description: 'VQRAE checkpoint (.safetensors) or a shipped name (vqrae info)', mustExist: 'file', shipped: true, placeholder: '<file|name>' }),
    data: stringOption({ description: "shard spec, e.g. 'val-{000..009}.tar'", placeholder: '<spec>' }),
    crop: stringOption({ description: 'image protocol before encoding', choices: ['center', 'adm', 'exact'], default: 'center' }),
    decodeMode: DECODE_MODE_EXACT_DEFAULT,
    batch: intOption({ description: 'images per forward pass', default: 16, min: 1 }),
    limit: intOption({ description: 'stop after this many images', min: 1 }),
    sideBySide: booleanOption({ description: 'write original | reconstruction pairs', default: false }),
    onError: stringOption({ description: 'bad samples: stop or skip', choices: ['throw', 'skip'], default: 'throw' }),
    prefixShard: booleanOption({ description: 'name outputs <shard>/<key> (for data whose keys repeat across shards; otherwise a repeated key is refused)', default: false }),
    overwrite: booleanOption({ description: 'replace the images of an earlier reconstruct in --out (removed first); without it they are refused', default: false }),
    ...ENGINE_OPTIONS,
    ...REMOTE_SHARD_OPTIONS,
  },
  examples: ["vqrae reconstruct --checkpoint ck.safetensors --data 'val-000000.tar' --limit 16 --side-by-side --out recon/"],
  async run(ctx) {
    const o = ctx.options;
    if (!o.checkpoint || !o.data) throw new UsageError('reconstruct: --checkpoint and --data are required');
    const onError = o.onError as 'throw' | 'skip';
    const removed = await clearEarlierOutputs('reconstruct', { folder: ctx.runFolder.path('images') }, { overwrite: o.overwrite, dryRun: o.dryRun });
    if (removed > 0) ctx.log.info(`reconstruct: --overwrite removed ${removed} file(s) of an earlier run`);
    const model = await loadCheckpoint(o.checkpoint);
    const preset = model.config.preset ?? 'custom';
    const { engine, record } = await openCommandEngine(ctx, model);
    try {
      const spec = new DatasetSpec({ shards: o.data, onError, remote: remoteShardOptions(o, ctx.log), ...(o.limit !== undefined ? { limit: o.limit } : {}) });
      const crop: CropSpec = { protocol: o.crop as 'center' | 'adm' | 'exact', size: engine.inputSize };
      const decodeMode = decodeModeOf(o.decodeMode);
      // fast crops inside the decoder (shrink-on-load); exact decodes in full, then crops (the reference protocol).
      const decoded = decodeMode === 'fast'
        ? Graph.from(spec.asSource()).pipe(decodeImages({ onError, crop, decodeMode }))
        : Graph.from(spec.asSource()).pipe(decodeImages({ onError })).pipe(cropImages<ImageSample>({ crop, onError }));
      const graph = decoded
        .pipe(batchStage<ImageSample>('batch', { size: o.batch }))
        .pipe(mapStage('record', (samples: ImageSample[]): ImageBatchRecord => ({ metas: samples.map((s) => s.meta), images: samples.map((s) => s.image) })))
        .pipe(reconstructStage(engine, { label: preset }))
        .pipe(mapStage('images', (batch: ImageBatchRecord & DecodedOutputs) => outputImages(batch, o.sideBySide), { describe: o.sideBySide ? 'images(side by side)' : 'images' }))
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
