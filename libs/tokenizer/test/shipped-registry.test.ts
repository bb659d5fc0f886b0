import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locateCheckpoint, resolveCheckpoint } from '../src/shipped/resolve-checkpoint.js';
import { ShippedCheckpointError } from '../src/shipped/shipped-error.js';
import { BUNDLED_CHECKPOINTS, listShippedCheckpoints, sha256FileSync } from '../src/shipped/shipped-registry.js';

/** A registry folder with two shipped checkpoints (arbitrary bytes: the resolver never parses them). */
function writeRegistry(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ['alpha', 'beta']) {
    const file = path.join(dir, `${name}.safetensors`);
    fs.writeFileSync(file, `weights of ${name}`);
    const card = { name, file: `${name}.safetensors`, sha256: sha256FileSync(file), bytes: 16, dtype: 'F16', preset: 'tiny', description: `the ${name} test checkpoint`, source: { runConfig: { seed: 7 } } };
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(card));
  }
}

const isProblem = (problem: string) => (error: unknown) => error instanceof ShippedCheckpointError && error.problem === problem;

let root: string;
let registry: string;
before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-registry-'));
  registry = path.join(root, 'registry');
  writeRegistry(registry);
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe('shipped checkpoints in the library (resolveCheckpoint)', () => {
  test('a shipped name resolves to its verified file from any cwd; an existing path wins over a name', () => {
    assert.equal(resolveCheckpoint('alpha', registry), path.join(registry, 'alpha.safetensors'));
    const located = locateCheckpoint('beta', registry);
    assert.equal(located.shipped?.name, 'beta');
    assert.equal(located.shipped?.trainSeed, 7);
    const cwd = process.cwd();
    const local = path.join(root, 'cwd');
    fs.mkdirSync(local, { recursive: true });
    fs.writeFileSync(path.join(local, 'alpha'), 'a local file called alpha');
    process.chdir(local);
    try {
      assert.deepEqual(locateCheckpoint('alpha', registry), { file: 'alpha', shipped: null });
      assert.equal(resolveCheckpoint('beta', registry), path.join(registry, 'beta.safetensors'));
    } finally {
      process.chdir(cwd);
    }
  });

  test('an unknown name throws ShippedCheckpointError listing the shipped names', () => {
    assert.throws(() => resolveCheckpoint('gamma', registry), (error: unknown) => {
      assert.ok(isProblem('unknown-name')(error));
      const e = error as ShippedCheckpointError;
      assert.deepEqual(e.names, ['alpha', 'beta']);
      assert.equal(e.message, "'gamma' is neither an existing file nor a shipped checkpoint (shipped: alpha, beta)");
      return true;
    });
    assert.throws(() => resolveCheckpoint('gamma', path.join(root, 'absent')), /\(shipped: none\)/);
  });

  test('corrupted or missing weights and a bad card are refused with their own problem', () => {
    const corrupted = path.join(root, 'corrupted');
    writeRegistry(corrupted);
    const expected = listShippedCheckpoints(corrupted)[0]!.sha256;
    fs.appendFileSync(path.join(corrupted, 'alpha.safetensors'), '!');
    assert.throws(() => resolveCheckpoint('alpha', corrupted), (error: unknown) => isProblem('sha256-mismatch')(error) && (error as Error).message.includes(`says ${expected}`));
    fs.rmSync(path.join(corrupted, 'alpha.safetensors'));
    assert.throws(() => resolveCheckpoint('alpha', corrupted), (error: unknown) => isProblem('missing-file')(error) && /alpha\.safetensors is missing/.test((error as Error).message));
    fs.writeFileSync(path.join(corrupted, 'broken.json'), '{"name": "broken"');
    assert.throws(() => listShippedCheckpoints(corrupted), (error: unknown) => isProblem('bad-card')(error) && (error as Error).message.includes('broken.json'));
  });

  test('the bundled registry is found relative to the package and holds the verified small-cpu', () => {
    assert.equal(BUNDLED_CHECKPOINTS, path.resolve(import.meta.dirname, '../../../assets/checkpoints'));
    const saved = process.env.VQRAE_SHIPPED_CHECKPOINTS;
    delete process.env.VQRAE_SHIPPED_CHECKPOINTS;
    try {
      assert.equal(resolveCheckpoint('small-cpu'), path.join(BUNDLED_CHECKPOINTS, 'small-cpu.safetensors'));
    } finally {
      if (saved !== undefined) process.env.VQRAE_SHIPPED_CHECKPOINTS = saved;
    }
  });
});
