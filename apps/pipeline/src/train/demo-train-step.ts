import path from 'node:path';
import { listImageFiles, packImages } from '@vqrae/data';
import type { DemoStep, DemoStepResult } from '../demo/demo-step.js';
import { trainDefaults, type TrainJobConfig } from '@vqrae/train';
import { runTrainJob } from '@vqrae/train';

/** Demo training budget: whichever comes first (the schedule is planned for DEMO_STEPS steps). */
export const DEMO_TRAIN = { preset: 'small-cpu', steps: 60, maxMinutes: 3, evalEvery: 10, heldOut: 2 } as const;

/**
 * Demo step `train`: packs the images into a training shard and a held-out shard (the last `heldOut` images by
 * name are held out), trains the `small-cpu` preset (stage 1: embedded MobileNetV2 encoder frozen) for a few minutes
 * and reports held-out PSNR from its first evaluation (step 0) to its last, with codebook utilisation/perplexity.
 */
export const trainDemoStep: DemoStep = {
  name: 'train',
  description: `train small-cpu stage 1 (L2 + VQ) on the images for ≤ ${DEMO_TRAIN.maxMinutes} min; held-out PSNR first → last evaluation`,
  async run(ctx): Promise<DemoStepResult> {
    const dir = ctx.runFolder.path('train');
    const files = (await listImageFiles(ctx.options.images)).sort((a, b) => a.key.localeCompare(b.key));
    if (files.length < DEMO_TRAIN.heldOut + 2) {
      return { status: 'failed', line: `train: need at least ${DEMO_TRAIN.heldOut + 2} images in ${ctx.options.images}, found ${files.length}`, files: [] };
    }
    const trainFiles = files.slice(0, files.length - DEMO_TRAIN.heldOut);
    const heldFiles = files.slice(files.length - DEMO_TRAIN.heldOut);
    await packImages(trainFiles, { pattern: path.join(dir, 'shards', 'train-%03d.tar') });
    await packImages(heldFiles, { pattern: path.join(dir, 'shards', 'heldout-%03d.tar') });
    const config: TrainJobConfig = {
      ...trainDefaults(DEMO_TRAIN.preset, 1),
      preset: DEMO_TRAIN.preset,
      stage: 1,
      data: path.join(dir, 'shards', 'train-000.tar'),
      evalData: path.join(dir, 'shards', 'heldout-000.tar'),
      out: dir,
      from: null,
      resume: false,
      steps: DEMO_TRAIN.steps,
      warmupSteps: 3,
      batch: Math.min(8, trainFiles.length),
      accumulate: 1,
      seed: ctx.options.seed,
      evalEvery: DEMO_TRAIN.evalEvery,
      previewEvery: DEMO_TRAIN.evalEvery,
      checkpointEvery: 30,
      maxMinutes: DEMO_TRAIN.maxMinutes,
      // A few CPU minutes: pixel + VQ only. The preset's full recipe (enc-perceptual + E_T-disc GAN) costs ~4× more
      // per step on wasm; `vqrae train --preset small-cpu` runs it.
      perceptual: 'off',
      ganWeight: 0,
    };
    const result = await runTrainJob(config, {
      log: ctx.log,
      runGraph: async (graph) => {
        const outcome = await ctx.runGraph('train', graph);
        if (outcome.error) throw outcome.error;
        return outcome.summary;
      },
    });
    const first = result.firstEval;
    const last = result.lastEval;
    const rel = (file: string): string => path.relative(ctx.runFolder.dir, file);
    const files_ = [result.emaModelFile, ...(result.curves ? [result.curves.png, result.curves.svg] : [])].map(rel);
    if (!first || !last) return { status: 'failed', line: 'train: no held-out evaluation ran', files: files_ };
    const rose = last.psnr > first.psnr;
    return {
      status: result.summary.cancelled ? 'cancelled' : 'ok',
      line:
        `train: ${DEMO_TRAIN.preset} stage 1, ${result.stepsDone} steps (batch ${config.batch}, ${trainFiles.length} training images); ` +
        `held-out PSNR ${first.psnr.toFixed(2)} dB (step ${first.step}) → ${last.psnr.toFixed(2)} dB (step ${last.step}) ` +
        `${rose ? 'rising' : 'NOT rising'} on ${last.images} held-out images; codebook utilisation ${(100 * last.utilisation).toFixed(1)}%, ` +
        `perplexity ${last.perplexity.toFixed(1)}`,
      files: files_,
      data: { psnrFirst: first.psnr, psnrLast: last.psnr, steps: result.stepsDone, emaModel: rel(result.emaModelFile) },
    };
  },
};
