import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellDir, cellTrainConfig } from '../src/ablate/cell-run.js';
import { cellName, cellsForRank, gridCells, GridError, parseGrid, resolveDims } from '../src/ablate/grid.js';
import { sharedOptions } from '../src/ablate/grid-file.js';
import { tinyJob } from './fixtures.js';

const defaults = { codebookDim: 96, codebookSize: 512, seed: 3 };

test('ablate grid: lists parse sorted, absent factors take the preset and --seed, quantizers in canonical order', () => {
  const grid = parseGrid({ dims: '1, 0.25,0.5', sizes: '1024,256', quantizer: 'vq,simvq', seeds: '1,0' }, defaults);
  assert.deepEqual(grid, { dims: { kind: 'fraction', values: [0.25, 0.5, 1] }, sizes: [256, 1024], quantizers: ['simvq', 'vq'], seeds: [0, 1] });
  assert.deepEqual(parseGrid({}, defaults), { dims: { kind: 'absolute', values: [96] }, sizes: [512], quantizers: ['simvq'], seeds: [3] });
  assert.deepEqual(resolveDims({ kind: 'fraction', values: [0.25, 0.5, 1, 1.25] }, 576).map((d) => d.dim), [144, 288, 576, 720]);
  assert.deepEqual(resolveDims({ kind: 'fraction', values: [0.3] }, 64), [{ dim: 19, fraction: 0.3 }], 'rounded to an integer');
});

test('ablate grid: empty, duplicate, non-positive and malformed values are refused naming the flag and item', () => {
  const refused = (flags: Parameters<typeof parseGrid>[0], pattern: RegExp): void => {
    assert.throws(() => parseGrid(flags, defaults), (error: unknown) => error instanceof GridError && pattern.test(error.message));
  };
  refused({ sizes: '' }, /--sizes "" has an empty item/);
  refused({ sizes: '256,,1024' }, /--sizes .* has an empty item/);
  refused({ sizes: '256,256' }, /--sizes lists 256 twice/);
  refused({ sizes: '0' }, /--sizes: '0' is not a positive integer/);
  refused({ sizes: '12.5' }, /--sizes: '12.5' is not a positive integer/);
  refused({ dims: '-0.5' }, /--dims: '-0.5' is not a positive fraction/);
  refused({ dims: 'half' }, /--dims: 'half'/);
  refused({ dimsAbs: '0,8' }, /--dims-abs: '0'/);
  refused({ dims: '1', dimsAbs: '8' }, /not both/);
  refused({ seeds: '-1' }, /--seeds: '-1' is not a non-negative integer/);
  refused({ quantizer: 'simvq,fsq' }, /--quantizer: 'fsq' is not one of simvq, vq/);
  refused({ quantizer: 'vq,vq' }, /--quantizer lists vq twice/);
  assert.throws(() => resolveDims({ kind: 'fraction', values: [0.001] }, 64), /--dims 0.001 × encoder width 64 rounds to 0/);
  assert.throws(() => resolveDims({ kind: 'fraction', values: [0.5, 0.505] }, 64), /--dims 0.5 and 0.505 both give dim 32/);
  assert.throws(() => cellsForRank([1, 2], 2, 2), /rank 2 of world size 2/);
});

test('ablate cells: the folder is a function of the factors; ranks take cells i mod world; vq reaches the cell config', () => {
  const grid = parseGrid({ dimsAbs: '16,32', sizes: '32', quantizer: 'simvq,vq', seeds: '0,1' }, defaults);
  const cells = gridCells(grid, 64);
  assert.deepEqual(cells.map((c) => c.name), [
    'simvq-d16-k32-s0', 'simvq-d16-k32-s1', 'simvq-d32-k32-s0', 'simvq-d32-k32-s1', 'vq-d16-k32-s0', 'vq-d16-k32-s1', 'vq-d32-k32-s0', 'vq-d32-k32-s1',
  ]);
  // Same factors → same name, whatever the list order or how the dim was given (fraction or absolute).
  const again = gridCells(parseGrid({ dims: '0.5,0.25', sizes: '32', quantizer: 'vq,simvq', seeds: '1,0' }, defaults), 64);
  assert.deepEqual(again.map((c) => c.name), cells.map((c) => c.name));
  assert.equal(cellName({ quantizer: 'simvq', codebookDim: 576, codebookSize: 1024, seed: 0 }), 'simvq-d576-k1024-s0');
  assert.equal(cellDir('/g', cells[0]!), '/g/cells/simvq-d16-k32-s0');
  const ranks = [0, 1].map((r) => cellsForRank(cells, r, 2).map((c) => c.name));
  assert.deepEqual(ranks[0], cells.filter((_, i) => i % 2 === 0).map((c) => c.name));
  assert.deepEqual([...ranks[0]!, ...ranks[1]!].sort(), cells.map((c) => c.name).sort(), 'every cell exactly once');
  const base = tinyJob({ data: 'd.tar', evalData: 'v.tar', out: '/g', steps: 4 });
  const config = cellTrainConfig(base, '/g', cells[6]!, false);
  assert.deepEqual(config.quantizer, { kind: 'vq', codebookSize: 32, codebookDim: 32 });
  assert.equal(config.seed, 0);
  assert.equal(config.out, '/g/cells/vq-d32-k32-s0');
  assert.equal(config.evalData, null, 'with --eval-every 0 the training job does not evaluate; the cell evaluation does');
  assert.equal(cellTrainConfig({ ...base, evalEvery: 2 }, '/g', cells[6]!, false).evalData, 'v.tar');
  assert.deepEqual(sharedOptions({ ...config, evalData: base.evalData }), sharedOptions(base), 'per-cell settings are not shared options');
});
