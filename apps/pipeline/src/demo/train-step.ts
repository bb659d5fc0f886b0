import fs from 'node:fs/promises';
import path from 'node:path';
import type { TrainJobResult } from '@vqrae/train';
import { trainCommand } from '../commands/train.js';
import { demoCheckpoint } from './demo-checkpoint.js';
import type { DemoStep, DemoStepResult } from './demo-step.js';
import { demoShards } from './demo-shards.js';

/** Demo fine-tuning budget: whichever comes first (the schedule is planned for `steps` steps). */
export const DEMO_TRAIN = { steps: 20, maxMinutes: 1.5, evalEvery: 10 } as const;

/** The fields of the train job's `train-summary.json` this step reads. */
type TrainSummaryFile = Pick<TrainJobResult, 'stepsDone' | 'firstEval' | 'lastEval' | 'emaModelFile' | 'curves'> & { readonly summary: { readonly cancelled: boolean } };

/**
 * Demo step `train`: `vqrae train --init <checkpoint>` called as a function (`trainCommand.invoke`: the same run
 * folder and records as the CLI): a short stage-1 fine-tuning run (the demo checkpoint's weights, fresh optimizer,
 * encoder frozen) on the packed training shard, with held-out PSNR from its first evaluation (step 0 = the checkpoint
 * itself) to its last. The later steps evaluate and tokenize with the checkpoint, not this run.
 */
export const trainDemoStep: DemoStep = {
  name: 'train',
  description: `fine-tune the demo checkpoint (stage 1, L2 + VQ, fresh optimizer) for ≤ ${DEMO_TRAIN.steps} steps / ${DEMO_TRAIN.maxMinutes} min; held-out PSNR first → last evaluation`,
  async run(ctx): Promise<DemoStepResult> {
    const out = ctx.runFolder.path('train');
    const checkpoint = demoCheckpoint(ctx.options.checkpoint);
    const shards = await demoShards(ctx);
    const batch = Math.min(8, shards.trainImages);
    let code: number;
    try {
      code = await trainCommand.invoke({
        init: checkpoint.file, // the preset comes from the checkpoint
        stage: 1,
        data: shards.train,
        evalData: shards.heldOut,
        out,
        steps: DEMO_TRAIN.steps,
        warmup: 3,
        // Fine-tuning rate: the shipped run ended at 1e-4 (decoder) and 2e-5 (stage 2); the preset's 1e-3 from-scratch
        // peak undid the checkpoint on 8 images (held-out 13.5 → 11.1 dB in 20 steps; 1e-4: → 12.2 dB; 2e-5: → 12.8 dB — 20 steps on 8 images overfit at any rate).
        lr: 2e-5,
        finalLr: 1e-5,
        batch,
        accumulate: 1,
        // The frozen codebook C is drawn from the seed: fine-tuning needs the checkpoint's own (its card records it).
        seed: checkpoint.trainSeed ?? ctx.options.seed,
        evalEvery: DEMO_TRAIN.evalEvery,
        previewEvery: DEMO_TRAIN.evalEvery,
        checkpointEvery: DEMO_TRAIN.steps,
        maxMinutes: DEMO_TRAIN.maxMinutes,
        // A few CPU minutes: pixel + VQ only. The preset's full recipe (enc-perceptual + E_T-disc GAN) costs ~4× more
        // per step on wasm; `vqrae train --init small-cpu` runs it.
        perceptual: 'off',
        ganWeight: 0,
        quiet: ctx.options.quiet,
        backend: ctx.backend.name,
      });
    } catch (error) {
      return { status: 'failed', line: `train: ${error instanceof Error ? error.message : String(error)}`, files: [] };
    }
    const summaryFile = path.join(out, 'train-summary.json'); // the train job's own record
    const text = await fs.readFile(summaryFile, 'utf8').catch(() => null);
    if (text === null) return { status: code === 130 ? 'cancelled' : 'failed', line: `train: exit ${code}, no ${summaryFile}`, files: [] };
    const result = JSON.parse(text) as TrainSummaryFile;
    const first = result.firstEval;
    const last = result.lastEval;
    const rel = (file: string): string => path.relative(ctx.runFolder.dir, file);
    const files = [result.emaModelFile, ...(result.curves ? [result.curves.png, result.curves.svg] : [])].map(rel);
    if (!first || !last) return { status: 'failed', line: 'train: no held-out evaluation ran', files };
    return {
      status: result.summary.cancelled || code === 130 ? 'cancelled' : code === 0 ? 'ok' : 'failed',
      line:
        `train: fine-tuned ${checkpoint.label}, stage 1, ${result.stepsDone} steps (batch ${batch}, ${shards.trainImages} training images, fresh optimizer); ` +
        `held-out PSNR ${first.psnr.toFixed(2)} dB (step ${first.step}) → ${last.psnr.toFixed(2)} dB (step ${last.step}) on ${last.images} held-out images; ` +
        `codebook utilisation ${(100 * last.utilisation).toFixed(1)}%, perplexity ${last.perplexity.toFixed(1)}`,
      files,
      data: { psnrFirst: first.psnr, psnrLast: last.psnr, steps: result.stepsDone, emaModel: rel(result.emaModelFile), checkpoint: checkpoint.name ?? checkpoint.file },
    };
  },
};
