import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { trainCommand } from '../../src/commands/train.js';
import { readJson, runCli } from '../cli/helpers.js';
import { tempDir, writeSyntheticShards } from '../../../../tools/testing/synthetic-shards.js';

let dir: string;
let data: string;
let evalData: string;
let pair: string;
before(async () => {
  dir = await tempDir('resume-cli');
  data = await writeSyntheticShards(path.join(dir, 'train'), 'tr', 8, 8);
  evalData = await writeSyntheticShards(path.join(dir, 'val'), 'va', 2, 2, 100);
  pair = await writeSyntheticShards(path.join(dir, 'pair'), 'pa', 2, 2, 200);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every step number in every raw segment of a run's step log (duplicates kept). */
function loggedSteps(run: string): number[] {
  const logDir = path.join(run, 'log');
  return fs.readdirSync(logDir).filter((f) => f.endsWith('.arrows')).sort().flatMap((f) => {
    const table = tableFromIPC(fs.readFileSync(path.join(logDir, f)));
    return Array.from({ length: table.numRows }, (_, i) => Number(table.getChild('step')!.get(i)));
  });
}

describe('train --resume takes the run’s saved settings (issue 14.8)', () => {
  test('README `train --resume --out runs/s1`: every setting from the run, train-config history kept, no duplicate steps in the log (issue 14.8)', async () => {
    const s1 = path.join(dir, 's1');
    const first = await runCli(['train', '--preset', 'tiny', '--data', data, '--eval-data', evalData, '--eval-images', '2', '--steps', '8', '--batch', '2',
      '--warmup', '3', '--checkpoint-every', '4', '--eval-every', '4', '--stop-after', '6', '--seed', '5', '--out', s1, '--quiet']);
    assert.equal(first.code, 0, first.stderr);
    const firstConfig = readJson(path.join(s1, 'train-config.json'));
    // As if killed after step 6 with the last checkpoint at step 4: steps 5 and 6 are logged but not checkpointed.
    fs.rmSync(path.join(s1, 'checkpoints', 'step-00000006'), { recursive: true, force: true });
    fs.writeFileSync(path.join(s1, 'checkpoints', 'latest.json'), JSON.stringify({ dir: 'step-00000004', step: 4 }));
    assert.deepEqual(loggedSteps(s1), [1, 2, 3, 4, 5, 6]);

    const resumed = await runCli(['train', '--resume', '--out', s1]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /train --resume: settings of the run saved in .*step-00000004\/state\.json; no flag changes any of them/);
    assert.doesNotMatch(resumed.stderr, /settings differ/);
    const config = readJson(path.join(s1, 'train-config.json'));
    for (const key of ['data', 'evalData', 'evalImages', 'steps', 'batch', 'warmupSteps', 'checkpointEvery', 'evalEvery', 'seed', 'preset', 'stage']) {
      assert.deepEqual(config[key], firstConfig[key], key);
    }
    assert.equal(config.stopAfterStep, null, 'a per-invocation limit is not inherited');
    assert.deepEqual(loggedSteps(s1), [1, 2, 3, 4, 5, 6, 7, 8], 'each step logged once');
    const evalSteps = fs.readFileSync(path.join(s1, 'eval.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    assert.deepEqual(evalSteps, [...new Set(evalSteps)].sort((a, b) => a - b), 'each evaluation once, in order');
    const history = fs.readFileSync(path.join(s1, 'train-config.history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { config: Record<string, unknown> });
    assert.deepEqual(history.map((h) => h.config), [firstConfig]);

    const longer = await runCli(['train', '--resume', '--out', s1, '--steps', '9']);
    assert.equal(longer.code, 0, longer.stderr);
    assert.match(longer.stdout, /changed by flags: steps 8 → 9/);
    assert.equal(readJson(path.join(s1, 'train-config.json')).steps, 9);
    assert.deepEqual(loggedSteps(s1), [1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // issue 14.2: a second fresh `train` into the finished run is refused and leaves its records alone.
    const summaryBefore = fs.readFileSync(path.join(s1, 'summary.json'), 'utf8');
    const again = await runCli(['train', '--preset', 'tiny', '--data', data, '--steps', '2', '--batch', '2', '--out', s1]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already has checkpoints; pass --resume/);
    assert.equal(fs.readFileSync(path.join(s1, 'summary.json'), 'utf8'), summaryBefore);
    assert.equal(readJson(path.join(s1, 'summary.json')).status, 'ok');
  });

  test('a resume invoked as a function (trainCommand.invoke, sources "call") takes the given options as overrides (issue 12)', async () => {
    const s1 = path.join(dir, 's1');
    const lines: string[] = [];
    const writers = { writeOut: (t: string) => void lines.push(t), writeErr: (t: string) => void lines.push(t) };
    const code = await trainCommand.invoke({ resume: true, out: s1, steps: 10, quiet: true }, writers);
    assert.equal(code, 0, lines.join(''));
    assert.match(lines.join(''), /settings differ from the checkpoint's run .*: steps 9 → 10/);
    assert.equal(readJson(path.join(s1, 'train-config.json')).steps, 10);
    assert.deepEqual(loggedSteps(s1), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('resuming a run saved before a setting existed compares it with what the run used (the default) and warns', async () => {
    const s1 = path.join(dir, 's1');
    const latest = readJson(path.join(s1, 'checkpoints', 'latest.json')) as { dir: string };
    const stateFile = path.join(s1, 'checkpoints', latest.dir, 'state.json');
    const state = readJson(stateFile) as { config: Record<string, unknown> };
    delete state.config['ssimWeight']; // as written before --ssim-weight existed
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const run = await runCli(['train', '--resume', '--out', s1, '--steps', '11', '--ssim-weight', '0.5']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout + run.stderr, /settings differ from the checkpoint's run .*: steps 10 → 11, ssimWeight 0 → 0\.5/);
    assert.equal(readJson(path.join(s1, 'train-config.json')).ssimWeight, 0.5);
    assert.deepEqual(loggedSteps(s1), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test('--resume with a --preset of another model is refused (issue 14.8)', async () => {
    const refused = await runCli(['train', '--resume', '--out', path.join(dir, 's1'), '--preset', 'small-cpu']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /the run in .* is tiny stage 1; --preset small-cpu cannot resume it/);
  });

  test('--resume into a folder without a checkpoint and without --data is a usage error (issue 14.8)', async () => {
    const refused = await runCli(['train', '--resume', '--out', path.join(dir, 'empty')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /has no checkpoint to resume; pass --data/);
    assert.equal(fs.existsSync(path.join(dir, 'empty')), false);
  });

  test('--batch larger than the training images warns (issue 14 minor)', async () => {
    const run = await runCli(['train', '--preset', 'tiny', '--data', pair, '--steps', '1', '--batch', '5', '--checkpoint-every', '0', '--out', path.join(dir, 'big-batch'), '--quiet']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: train: --batch 5 exceeds the 2 training image\(s\) of one epoch of .*: every batch repeats each image ~3 times/);
  });
});
