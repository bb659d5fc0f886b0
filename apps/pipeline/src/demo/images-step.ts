import { contactSheetSink, cropImages, decodeImages, imageFolderSource, jsonRowsSink } from '@vqrae/data';
import { Graph } from '@vqrae/graph';
import type { DemoStep, DemoStepResult } from './demo-step.js';
import { statsStage, type ImageStats, type StatsItem } from './image-stages.js';

/** Step 1: decode the bundled images, centre-crop, compute colour statistics, write a contact sheet and a JSON table. */
export const imagesStep: DemoStep = {
  name: 'images',
  description: 'decode → centre-crop → colour statistics → contact sheet + image-stats.json',
  async run(ctx): Promise<DemoStepResult> {
    const { images, repeat, size, concurrency } = ctx.options;
    const stats = jsonRowsSink(ctx.runFolder.path('image-stats.json'), (item: StatsItem) => item.stats, { name: 'stats-json', describe: 'stats-json(image-stats.json)' });
    const sheet = contactSheetSink({ file: ctx.runFolder.path('contact-sheet.png') });
    const graph = Graph.from(imageFolderSource(images, { repeat }))
      .pipe(decodeImages({ concurrency, background: { r: 0, g: 0, b: 0 } })) // alpha flattened on black
      .pipe(cropImages({ crop: { protocol: 'center', size }, concurrency, describe: `centre-crop(${size})` }))
      .pipe(statsStage())
      .to(stats, sheet);
    const { summary } = await ctx.runGraph('images', graph);
    if (summary.status !== 'ok') {
      return { status: summary.status, line: `images: ${summary.status} after ${summary.sourceItems} images`, files: [] };
    }
    const rows = (summary.sinks[0].result as { rows: ImageStats[] }).rows;
    const mean = [0, 1, 2].map((c) => rows.reduce((s, r) => s + r.mean[c], 0) / rows.length);
    const top = rows.reduce((best, r) => (r.colourfulness > best.colourfulness ? r : best), rows[0]);
    const rate = (summary.sourceItems * 1000) / summary.wallMs;
    return {
      status: 'ok',
      line:
        `images: ${rows.length} images → ${size}×${size} centre crops in ${(summary.wallMs / 1000).toFixed(2)} s (${rate.toFixed(0)} img/s); ` +
        `mean RGB (${mean.map((m) => m.toFixed(3)).join(', ')}); most colourful: ${top.key} (${top.colourfulness.toFixed(3)})`,
      files: ['contact-sheet.png', 'image-stats.json'],
      data: { images: rows.length, meanRgb: mean, mostColourful: top.key },
    };
  },
};
