import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readJson, runCli } from '../cli/helpers.js';
import { tempDir, writeSyntheticShards } from '../../../../tools/testing/synthetic-shards.js';

let dir: string;
let data: string;
let evalData: string;
before(async () => {
  dir = await tempDir('ablate-cli');
  data = await writeSyntheticShards(path.join(dir, 'train'), 'tr', 8, 8);
  evalData = await writeSyntheticShards(path.join(dir, 'val'), 'va', 2, 2, 100);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Common flags of a tiny grid: dims 16 and 32 (fractions of the tiny encoder's width 64) × `sizes`. */
const gridFlags = (sizes = '32,64'): string[] => [
  '--preset', 'tiny', '--data', data, '--eval-data', evalData, '--eval-images', '2', '--dims', '0.25,0.5', '--sizes', sizes,
  '--steps', '2', '--batch', '2', '--warmup', '1', '--checkpoint-every', '1', '--eval-every', '0', '--preview-every', '0', '--quiet',
];

/** The end-to-end 2 × 2 grid: dims 16, 32 × SimVQ and plain VQ, codebook size 32. */
const twoByTwo = (): string[] => [...gridFlags('32'), '--quantizer', 'simvq,vq'];

test('vqrae ablate: a 2×2 grid (dim × quantizer) end to end; Ctrl-C exits 130 and the rerun resumes the cut cell and finishes the grid', async () => {
  const out = path.join(dir, 'grid');
  const firstCheckpoint = path.join(out, 'cells', 'simvq-d16-k32-s0', 'checkpoints', 'latest.json');
  const watcher = setInterval(() => {
    if (fs.existsSync(firstCheckpoint)) {
      clearInterval(watcher);
      process.emit('SIGINT'); // what Ctrl-C does, once the first cell has a checkpoint
    }
  }, 5);
  const cut = await runCli(['ablate', ...twoByTwo(), '--out', out]);
  clearInterval(watcher);
  assert.equal(cut.code, 130, cut.stderr);
  assert.equal(readJson(path.join(out, 'summary.json')).status, 'cancelled');
  assert.equal(fs.existsSync(path.join(out, 'ablation.arrow')), false);

  const run = await runCli(['ablate', ...twoByTwo(), '--out', out]);
  assert.equal(run.code, 0, run.stderr);
  const cellResult = readJson(path.join(out, 'cells', 'simvq-d16-k32-s0', 'cell-result.json'));
  assert.ok((cellResult.resumedFromStep as number) >= 1, 'the cut cell resumed from its checkpoint');
  const table = tableFromIPC(fs.readFileSync(path.join(out, 'ablation.arrow')));
  assert.deepEqual(table.getChild('cell')!.toArray(), ['simvq-d16-k32-s0', 'simvq-d32-k32-s0', 'vq-d16-k32-s0', 'vq-d32-k32-s0']);
  assert.deepEqual(Array.from(table.getChild('dim_fraction')!.toArray() as Float64Array), [0.25, 0.5, 0.25, 0.5]);
  const summary = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
  assert.match(summary, /\| vq \| 32 \(0\.5×d\) \| 32 \| 0 \|/);
  assert.match(run.stdout, /4 cell\(s\) merged/);
  for (const file of ['grid.json', 'ablation.svg', 'ablation.png', 'report.html']) assert.ok(fs.existsSync(path.join(out, file)), file);

  const merged = await runCli(['ablate', '--merge', '--out', out, '--quiet']);
  assert.equal(merged.code, 0, merged.stderr);
  const records = ['config.json', 'summary.json', 'history.jsonl'].map((name) => fs.readFileSync(path.join(out, name)));
  const status = await runCli(['ablate', '--status', '--out', out]);
  assert.equal(status.code, 0, status.stderr);
  const after = ['config.json', 'summary.json', 'history.jsonl'].map((name) => fs.readFileSync(path.join(out, name)));
  assert.deepEqual(after, records, 'a status query leaves the records of the ranks working in the folder alone');
  assert.match(status.stdout, /4 finished, 0 training, 0 stopped, 0 waiting; ≈ 0\.0 cell-hour/);
  assert.equal((status.stdout.match(/^ {2}finished /gm) ?? []).length, 4);
  const refused = await runCli(['ablate', ...twoByTwo(), '--steps', '3', '--out', out]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /steps 2 → 3/);
});

test('vqrae ablate: bad grid flags are usage errors; --quantizer simvq,vq and ranks reach the cells (--dry-run)', async () => {
  const out = path.join(dir, 'dry');
  for (const [flags, message] of [
    [['--sizes', '32,32'], /--sizes lists 32 twice/],
    [['--dims', '0.001'], /rounds to 0/],
    [['--seeds', '0,-1'], /--seeds: '-1'/],
    [['--quantizer', 'simvq,rvq'], /'rvq' is not one of simvq, vq/],
    [['--partial'], /--partial only goes with --merge/],
  ] as const) {
    const result = await runCli(['ablate', ...gridFlags(), ...flags, '--out', out, '--dry-run']);
    assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  const none = path.join(dir, 'no-grid', 'here');
  const status = await runCli(['ablate', '--status', '--out', none]);
  assert.equal(status.code, 2);
  assert.match(status.stderr, /no grid\.json/);
  assert.equal(fs.existsSync(path.join(dir, 'no-grid')), false, 'a status query creates no folder');
  const dry = await runCli(['ablate', ...gridFlags(), '--quantizer', 'simvq,vq', '--rank', '1', '--world-size', '2', '--out', out, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /rank 1 of 2 \(--rank\/--world-size\): 4 cell\(s\): cells\/simvq-d16-k64-s0, cells\/simvq-d32-k64-s0, cells\/vq-d16-k64-s0, cells\/vq-d32-k64-s0/);
});

test('vqrae train --codebook-size/--codebook-dim: a fresh model with that quantizer; a resume contradicting it is refused', async () => {
  const out = path.join(dir, 'train-q');
  const trained = await runCli(['train', '--preset', 'tiny', '--data', data, '--steps', '2', '--batch', '2', '--warmup', '1', '--codebook-size', '64', '--codebook-dim', '16', '--out', out, '--quiet']);
  assert.equal(trained.code, 0, trained.stderr);
  assert.deepEqual(readJson(path.join(out, 'train-config.json')).quantizer, { codebookSize: 64, codebookDim: 16 });
  const refused = await runCli(['train', '--resume', '--out', out, '--codebook-dim', '32', '--steps', '3']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /its quantizer has codebookDim 16 \(wanted 32\)/);
  const plain = path.join(dir, 'train-plain');
  const without = await runCli(['train', '--preset', 'tiny', '--data', data, '--steps', '1', '--batch', '2', '--warmup', '1', '--out', plain, '--quiet']);
  assert.equal(without.code, 0, without.stderr);
  assert.equal('quantizer' in readJson(path.join(plain, 'train-config.json')), false, 'no flags: config.json as before');
});
