import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@vqrae/graph';
import { tfjsEngine, tfjsFeatureEngine, VqraeModel } from '@vqrae/tokenizer';
import { writeTrainCheckpoint, type TrainStateJson } from './checkpoint-state.js';
import type { EpochSampleSource } from './epoch-source.js';
import { evalStoreOf } from './export.js';
import { evaluateHeldOut, type EvalResult, type HeldOutSet } from './heldout.js';
import { periodicHook } from './hooks.js';
import type { TrainJobConfig } from './job-config.js';
import type { LoadedModel } from './model-factory.js';
import { writePreviewGrid } from './preview.js';
import type { StepHook } from './train-stage.js';
import type { Trainer } from './trainer.js';

/**
 * Held-out evaluation with the EMA weights, on the tfjs engine of a model view over a copy of them (the weights
 * change every step: nothing is exported): PSNR, codebook utilisation/perplexity, stage-2 feature drift; appends a
 * row to `<run>/eval.jsonl` and, when asked, writes `<run>/previews/step-XXXXXXXX.png` (originals over
 * reconstructions of the first 8 held-out images).
 */
export function heldOutEvaluator(
  config: TrainJobConfig,
  loaded: LoadedModel,
  trainer: Trainer,
  heldOut: HeldOutSet | null,
  log: Logger,
): (step: number, withPreview: boolean) => Promise<EvalResult | null> {
  const evalFile = path.join(config.out, 'eval.jsonl');
  return async (step, withPreview) => {
    if (!heldOut) return null;
    const { model } = loaded;
    // The engine owns the EMA copy (and the model view's codebook cache); the teacher store stays the job's.
    const engine = tfjsEngine(new VqraeModel(model.config, model.encoder, evalStoreOf(model.params, trainer.ema.store()), { search: model.quantizer.search }), 'tfjs(EMA)');
    const teacher = loaded.teacher ? tfjsFeatureEngine(model.encoder, loaded.teacher, () => {}, 'tfjs(teacher)') : null;
    try {
      const { result, preview } = await evaluateHeldOut(engine, teacher, heldOut, step, config.batch, 8);
      if (withPreview) {
        const file = path.join(config.out, 'previews', `step-${String(step).padStart(8, '0')}.png`);
        await writePreviewGrid(heldOut.pixels.data, preview, { height: model.inputSize, width: model.inputSize, outputSize: model.outputSize }, file);
      }
      await fs.appendFile(evalFile, `${JSON.stringify(result)}\n`);
      const drift = result.driftMse === null ? '' : `, drift mean (Z_I−Z_T)² ${result.driftMse.toExponential(3)} (‖Z_I−Z_T‖/‖Z_T‖ ${result.driftRelative!.toFixed(4)})`;
      log.info(
        `eval step ${step}: PSNR ${result.psnr.toFixed(3)} dB, utilisation ${(100 * result.utilisation).toFixed(1)}%, ` +
          `perplexity ${result.perplexity.toFixed(1)}${drift} (${result.images} held-out images, EMA)`,
      );
      return result;
    } finally {
      await teacher?.dispose();
      await engine.dispose();
    }
  };
}

/** Writes a training checkpoint of the current state (model, EMA, AdamW, step, data position). */
export function checkpointWriter(
  config: TrainJobConfig,
  loaded: LoadedModel,
  trainer: Trainer,
  source: EpochSampleSource,
): { save(step: number, samplesTotal: number): Promise<void>; last(): string | null } {
  let last: string | null = null;
  return {
    last: () => last,
    async save(step, samplesTotal) {
      const state: TrainStateJson = {
        format: 'vqrae-train-state/1',
        stage: config.stage,
        step,
        data: { ...source.positionAt(samplesTotal), samplesTotal },
        rng: { note: 'no stateful generator in this recipe: order = f(seed, epoch), crops = f(seed, epoch, key)', seed: config.seed },
        config,
        createdAt: new Date().toISOString(),
      };
      const optimizer = trainer.optimizer.getState();
      last = await writeTrainCheckpoint(
        path.join(config.out, 'checkpoints'),
        {
          model: loaded.model.params.toNamedTensors(),
          modelMetadata: loaded.metadata(),
          ema: trainer.ema.store().toNamedTensors(),
          moments: optimizer.moments,
          optimizerStep: optimizer.step,
          ...(trainer.adversary ? { adversary: trainer.adversary.state() } : {}),
        },
        state,
        config.keepCheckpoints,
      );
    },
  };
}

/** What the job's hooks need besides the config. */
export interface JobHookContext {
  /** Fresh runs evaluate (with a preview) before the first step; a resume does not repeat its checkpoint's evaluation. */
  readonly evaluateAtStart: boolean;
  /** Held-out images evaluated (null: no --eval-data, the eval hook does nothing). */
  readonly heldOutImages: number | null;
}

/**
 * The named hooks of a training job, in the order they run after a step: `checkpoint` (model, EMA, AdamW, data
 * position), `eval` (held-out PSNR / codebook statistics with the EMA weights, a preview grid on preview steps) and,
 * when previews are due on steps without an evaluation, `preview` (an evaluation with its grid). Previews always come
 * with an evaluation of the same weights.
 */
export function jobHooks(
  config: TrainJobConfig,
  save: (step: number, samplesTotal: number) => Promise<void>,
  evaluate: (step: number, withPreview: boolean) => Promise<unknown>,
  context: JobHookContext = { evaluateAtStart: false, heldOutImages: null },
): StepHook[] {
  const isMultiple = (step: number, every: number): boolean => every > 0 && step % every === 0;
  const heldOut = context.heldOutImages === null ? 'no held-out data' : `EMA on ${context.heldOutImages} held-out images`;
  const previewsWithEval = config.previewEvery > 0 && isMultiple(config.previewEvery, config.evalEvery);
  const hooks: StepHook[] = [
    periodicHook('checkpoint', config.checkpointEvery, save, { atEnd: true, detail: `keep ${config.keepCheckpoints}` }),
    periodicHook('eval', config.evalEvery, async (step) => {
      // The step-0 evaluation of a fresh run and the last one always write a preview.
      await evaluate(step, step === 0 || isMultiple(step, config.previewEvery) || step >= config.steps);
    }, { atEnd: true, atStart: context.evaluateAtStart, detail: `${heldOut}${previewsWithEval ? `, preview every ${config.previewEvery}` : ''}` }),
  ];
  if (config.previewEvery > 0 && !previewsWithEval) {
    hooks.push(periodicHook('preview', config.previewEvery, async (step) => {
      if (!isMultiple(step, config.evalEvery)) await evaluate(step, true);
    }, { atEnd: false, detail: 'with its evaluation' }));
  }
  return hooks;
}
