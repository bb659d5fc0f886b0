import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { silentLogger } from '@vqrae/graph';
import { createVqrae, presetConfig, saveCheckpoint } from '@vqrae/tokenizer';
import { InitRefusedError } from '../src/init-weights.js';
import { loadModelSource } from '../src/model-factory.js';
import { applyQuantizerOverride, assertQuantizerMatches, QuantizerOverrideError } from '../src/quantizer-override.js';
import { tempDir, tinyJob } from './fixtures.js';

let root = '';
let checkpoint = '';
before(async () => {
  root = await tempDir('quantizer-override');
  const model = await createVqrae(presetConfig('tiny'), { seed: 0 });
  checkpoint = path.join(root, 'tiny.safetensors');
  await saveCheckpoint(model, checkpoint);
  model.dispose();
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('quantizer override: size and dim replace the preset’s, the init std follows the dim, checkpoints must match', () => {
  const tiny = presetConfig('tiny').quantizer;
  assert.equal(applyQuantizerOverride(tiny, null), tiny);
  const q = applyQuantizerOverride(tiny, { kind: 'simvq', codebookSize: 64, codebookDim: 16 });
  assert.deepEqual(q, { codebookSize: 64, codebookDim: 16, beta: tiny.beta, codebookInitStd: 16 ** -0.5 });
  assert.equal(applyQuantizerOverride({ ...tiny, codebookInitStd: 0.5 }, { codebookDim: 16 }).codebookInitStd, 0.5, 'an explicit std is kept');
  assert.throws(() => applyQuantizerOverride(tiny, { codebookSize: 0 }), QuantizerOverrideError);
  assert.doesNotThrow(() => assertQuantizerMatches({ kind: 'simvq', codebookDim: 96 }, tiny, 'x'));
  assert.throws(() => assertQuantizerMatches({ kind: 'vq', codebookDim: 16 }, tiny, 'train --resume r'), /train --resume r: its quantizer has kind simvq \(wanted vq\), codebookDim 96 \(wanted 16\)/);
});

test('quantizer override: a fresh stage-1 model gets it; --init and stage-2 --from checkpoints contradicting it are refused', async () => {
  const tensors = tf.memory().numTensors;
  const fresh = await loadModelSource(tinyJob({ data: 'd.tar', out: root, quantizer: { codebookSize: 64, codebookDim: 16 } }), null, root, silentLogger);
  assert.deepEqual(fresh.model.config.quantizer, { codebookSize: 64, codebookDim: 16, beta: 0.25, codebookInitStd: 0.25 });
  assert.deepEqual(fresh.model.params.get('quantizer.embedding.weight').shape, [64, 16]);
  assert.match(fresh.metadata()['vqrae.config'] ?? '', /"codebookSize":64,"codebookDim":16/);
  fresh.model.dispose();
  await assert.rejects(
    loadModelSource(tinyJob({ data: 'd.tar', out: root, init: checkpoint, quantizer: { codebookDim: 16 } }), null, root, silentLogger),
    (error: unknown) => error instanceof InitRefusedError && /its quantizer has codebookDim 96 \(wanted 16\)/.test(error.message),
  );
  const same = await loadModelSource(tinyJob({ data: 'd.tar', out: root, init: checkpoint, quantizer: { codebookDim: 96 } }), null, root, silentLogger);
  same.model.dispose();
  await assert.rejects(
    loadModelSource(tinyJob({ data: 'd.tar', out: path.join(root, 's2'), stage: 2, from: checkpoint, quantizer: { codebookSize: 64 } }), null, path.join(root, 's2'), silentLogger),
    (error: unknown) => error instanceof QuantizerOverrideError && /train --from .*: its quantizer has codebookSize 512 \(wanted 64\)/.test(error.message),
  );
  assert.equal(tf.memory().numTensors, tensors);
});
