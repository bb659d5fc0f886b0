import { DatasetSpec, cropImages, decodeImages, imagesToTensor, type ImageSample } from '@vqrae/data';
import { Graph, batchStage, mapStage } from '@vqrae/graph';
import { loadCheckpoint } from '@vqrae/tokenizer';
import { booleanOption, defineCommand, intOption, stringOption, UsageError } from '../cli/index.js';
import { clearEarlierOutputs } from '../images/earlier-outputs.js';
import { pngFolderSink, toUint8Images, type OutputImage } from '../images/image-output.js';

/** `vqrae reconstruct`: images → tokens → images, written as PNG (optionally original | reconstruction side by side). */
export const reconstructCommand = defineCommand({
  name: 'reconstruct',
  description: 'reconstruct images through the tokenizer (encode → quantize → decode) for inspection',
  options: {
    checkpoint: stringOption({ description: 'VQRAE checkpoint (.safetensors)', placeholder: '<file>' }),
    data: stringOption({ description: "shard spec, e.g. 'val-{000..009}.tar'", placeholder: '<spec>' }),
    crop: stringOption({ description: 'image protocol before encoding', choices: ['center', 'adm', 'exact'], default: 'center' }),
    batch: intOption({ description: 'images per forward pass', default: 16, min: 1 }),
    limit: intOption({ description: 'stop after this many images', min: 1 }),
    sideBySide: booleanOption({ description: 'write original | reconstruction pairs', default: false }),
    onError: stringOption({ description: 'bad samples: stop or skip', choices: ['throw', 'skip'], default: 'throw' }),
    prefixShard: booleanOption({ description: 'name outputs <shard>/<key> (for data whose keys repeat across shards; otherwise a repeated key is refused)', default: false }),
    overwrite: booleanOption({ description: 'replace the images of an earlier reconstruct in --out (removed first); without it they are refused', default: false }),
  },
  examples: ["vqrae reconstruct --checkpoint ck.safetensors --data 'val-000000.tar' --limit 16 --side-by-side --out recon/"],
  async run(ctx) {
    const o = ctx.options;
    if (!o.checkpoint || !o.data) throw new UsageError('reconstruct: --checkpoint and --data are required');
    const onError = o.onError as 'throw' | 'skip';
    const removed = await clearEarlierOutputs('reconstruct', { folder: ctx.runFolder.path('images') }, { overwrite: o.overwrite, dryRun: o.dryRun });
    if (removed > 0) ctx.log.info(`reconstruct: --overwrite removed ${removed} file(s) of an earlier run`);
    const model = await loadCheckpoint(o.checkpoint);
    try {
      const spec = new DatasetSpec({ shards: o.data, onError, ...(o.limit !== undefined ? { limit: o.limit } : {}) });
      const reconstruct = mapStage<ImageSample[], OutputImage[]>(
        'reconstruct',
        (samples) => {
          const input = imagesToTensor(samples.map((s) => s.image), 'pixel01'); // [B, S, S, 3]
          const output = model.reconstruct(input); // [B, S', S', 3]
          input.dispose();
          const pixels = toUint8Images(output);
          output.dispose();
          return samples.map((s, i) => {
            const r = pixels[i]!;
            if (!o.sideBySide || s.image.height !== r.height) return { key: s.meta.key, shard: s.meta.shard, ...r };
            const w = s.image.width + r.width;
            const rgb = new Uint8Array(r.height * w * 3);
            for (let y = 0; y < r.height; y++) {
              rgb.set(s.image.data.subarray(y * s.image.width * 3, (y + 1) * s.image.width * 3), y * w * 3);
              rgb.set(r.rgb.subarray(y * r.width * 3, (y + 1) * r.width * 3), (y * w + s.image.width) * 3);
            }
            return { key: s.meta.key, shard: s.meta.shard, width: w, height: r.height, rgb };
          });
        },
        { describe: `reconstruct(${model.config.preset ?? 'custom'})` },
      );
      const graph = Graph.from(spec.asSource())
        .pipe(decodeImages({ onError }))
        .pipe(cropImages<ImageSample>({ crop: { protocol: o.crop as 'center' | 'adm' | 'exact', size: model.inputSize }, onError }))
        .pipe(batchStage<ImageSample>('batch', { size: o.batch }))
        .pipe(reconstruct)
        .to(pngFolderSink(ctx.runFolder.path('images'), { prefixShard: o.prefixShard }));
      if (o.dryRun) {
        ctx.print(graph.describe());
        return { summary: { dryRun: true } };
      }
      const outcome = await ctx.runGraph('reconstruct', graph);
      const written = (outcome.summary.sinks[0]?.result as { written?: number } | undefined)?.written ?? 0;
      ctx.print(`reconstruct: ${written} PNG(s) in ${ctx.runFolder.path('images')}`);
      return undefined;
    } finally {
      model.dispose();
    }
  },
});
