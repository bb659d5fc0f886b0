import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freshTrainConfig, trainConfigFor, trainDefaults, TrainSettingsError, type TrainJobConfig } from '../src/index.js';

let root: string;
before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'vqrae-train-settings-'));
});
after(() => fs.rm(root, { recursive: true, force: true }));

/** A run folder whose latest checkpoint (`step-00000004`) saved `config` (only state.json: nothing loads weights here). */
async function savedRun(name: string, config: Partial<TrainJobConfig>): Promise<string> {
  const out = path.join(root, name);
  await fs.mkdir(path.join(out, 'checkpoints', 'step-00000004'), { recursive: true });
  await fs.writeFile(path.join(out, 'checkpoints', 'latest.json'), JSON.stringify({ dir: 'step-00000004', step: 4 }));
  const saved: TrainJobConfig = { ...trainDefaults('tiny', 1), preset: 'tiny', stage: 1, data: 'train.tar', evalData: null, out, from: null, resume: false, ...config };
  await fs.writeFile(path.join(out, 'checkpoints', 'step-00000004', 'state.json'), JSON.stringify({ config: saved }));
  return out;
}

const refusal = (pattern: RegExp) => (error: unknown) => error instanceof TrainSettingsError && pattern.test(error.message);

test('freshTrainConfig: stated settings over the preset defaults (warm-up 5% of stated steps, DINO kernel 9, LPIPS by weights, quantizer factors)', async () => {
  const out = path.join(root, 'fresh');
  const plain = await freshTrainConfig({ data: 'train-{000..003}.tar' }, out);
  assert.deepEqual(plain, { ...trainDefaults('tiny', 1), preset: 'tiny', stage: 1, data: 'train-{000..003}.tar', evalData: null, out, from: null, init: null, resume: false });

  const stated = await freshTrainConfig({ preset: 'small-cpu', data: 'd.tar', steps: 40, clip: 1, stopAfter: 7, dinoWeights: 'dino.safetensors', lpipsWeights: 'lpips.safetensors', quantizer: 'vq', codebookDim: 16, seed: 3, ssimWeight: 0.1 }, out);
  assert.equal(stated.warmupSteps, 2); // round(0.05 · 40)
  assert.equal(stated.clipGradNorm, 1);
  assert.equal(stated.stopAfterStep, 7);
  assert.equal(stated.discBackbone, 'dino');
  assert.equal(stated.discKernel, 9);
  assert.equal(stated.perceptual, 'lpips');
  assert.equal(stated.perceptualWeight, 1);
  assert.deepEqual(stated.quantizer, { kind: 'vq', codebookDim: 16 });
  assert.equal(stated.seed, 3);
  assert.equal(stated.ssimWeight, 0.1);
  assert.equal(plain.ssimWeight, 0, 'the structural term is off unless asked for');
  assert.equal(stated.batch, trainDefaults('small-cpu', 1).batch);
  const enc = await freshTrainConfig({ data: 'd.tar', perceptual: 'enc-perceptual', warmup: 500, steps: 30 }, out);
  assert.equal(enc.perceptualWeight, 0.1);
  assert.equal(enc.warmupSteps, 30, 'the warm-up stays inside the schedule');
});

test('freshTrainConfig: settings that cannot start a run are TrainSettingsErrors worded as the CLI prints them', async () => {
  const out = path.join(root, 'refused');
  await assert.rejects(freshTrainConfig({}, out), refusal(/^train: --data <shards> is required$/));
  await assert.rejects(freshTrainConfig({ data: 'd.tar', stage: 2 }, out), refusal(/--stage 2 needs --from/));
  await assert.rejects(freshTrainConfig({ data: 'd.tar', perceptual: 'lpips' }, out), refusal(/--perceptual lpips needs --lpips-weights/));
  await assert.rejects(freshTrainConfig({ data: 'd.tar', pixelLoss: 'l3' as 'l1' }, out), refusal(/setting pixelLoss 'l3' is not one of l2, l1/));
  await assert.rejects(freshTrainConfig({ data: 'd.tar', stage: 3 }, out), refusal(/setting stage 3 is not 1 or 2/));
});

test('trainConfigFor: a resume takes the saved run and only the stated settings; per-invocation limits are not inherited', async () => {
  const out = await savedRun('resume', { steps: 8, warmupSteps: 3, batch: 2, seed: 5, stopAfterStep: 6, maxMinutes: 3 });
  const same = await trainConfigFor({ resume: true }, out);
  assert.equal(same.resumed?.checkpointDir, path.join(out, 'checkpoints', 'step-00000004'));
  assert.deepEqual(same.resumed?.changes, []);
  assert.equal(same.config.stopAfterStep, null);
  assert.equal(same.config.maxMinutes, null);
  assert.equal(same.config.resume, true);

  // The CLI passes every resolved option (defaults too) with `given` = the stated ones: a default never overrides.
  const cliLike = { resume: true, preset: 'tiny', seed: 0, steps: 12, emaWarmup: true, decodeMode: 'fast' as const };
  const stated = await trainConfigFor(cliLike, out, { given: new Set(['resume', 'steps']) });
  assert.deepEqual(stated.resumed?.changes, ['steps 8 → 12']);
  assert.equal(stated.config.seed, 5);
  // Without `given`, every defined setting is stated (a script's own settings object).
  const all = await trainConfigFor(cliLike, out);
  assert.deepEqual(all.resumed?.changes, ['steps 8 → 12', 'seed 5 → 0']);

  const quantized = await trainConfigFor({ resume: true, codebookSize: 64 }, await savedRun('resume-vq', { quantizer: { kind: 'vq', codebookDim: 8 } }));
  assert.deepEqual(quantized.config.quantizer, { kind: 'vq', codebookDim: 8, codebookSize: 64 }, 'quantizer factors merge into the saved ones');
});

test('trainConfigFor: refuses a new run into a folder with checkpoints, --init with --resume, another preset, a resume without checkpoint or data', async () => {
  const out = await savedRun('refusals', {});
  await assert.rejects(trainConfigFor({ data: 'd.tar' }, out), refusal(/already has checkpoints; pass --resume/));
  await assert.rejects(trainConfigFor({ resume: true, init: 'x.safetensors' }, out), refusal(/--init starts a new run from weights/));
  await assert.rejects(trainConfigFor({ resume: true, preset: 'small-cpu' }, out), refusal(/the run in .* is tiny stage 1; --preset small-cpu cannot resume it/));
  await assert.rejects(trainConfigFor({ resume: true }, path.join(root, 'empty')), refusal(/has no checkpoint to resume; pass --data/));
  const fresh = await trainConfigFor({ resume: true, data: 'd.tar' }, path.join(root, 'empty'));
  assert.equal(fresh.resumed, null);
  assert.equal(fresh.config.resume, true);
  await fs.writeFile(path.join(out, 'checkpoints', 'step-00000004', 'state.json'), '{"config": {}}');
  await assert.rejects(trainConfigFor({ resume: true }, out), refusal(/state\.json holds no training config/));
});
