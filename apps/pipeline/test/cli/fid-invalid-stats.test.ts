import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { writeNpz } from '@vqrae/eval';
import { runCli, tempDir } from './helpers.js';

const d = 3;
const eye = (scale: number): Float64Array => Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? scale : 0));

async function statsFile(file: string, mu: Float64Array, sigma: Float64Array): Promise<string> {
  await writeNpz(file, { mu: { dtype: 'f8', shape: [d], data: mu }, sigma: { dtype: 'f8', shape: [d, d], data: sigma } });
  return file;
}

test('fid refuses a negative-definite sigma and a NaN mu with exit 2 naming the file, instead of FID = 0 / NaN (issue 14.13)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const good = await statsFile(path.join(dir, 'good.npz'), new Float64Array(d), eye(1));
    const negative = await statsFile(path.join(dir, 'negative.npz'), new Float64Array(d), eye(-1));
    const nan = await statsFile(path.join(dir, 'nan.npz'), Float64Array.of(0, NaN, 0), eye(1));
    const ok = await runCli(['fid', '--stats', good, good, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = await runCli(['fid', '--stats', negative, negative]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /negative\.npz.*not positive semi-definite/);
    const notANumber = await runCli(['fid', '--stats', good, nan]);
    assert.equal(notANumber.code, 2);
    assert.match(notANumber.stderr, /nan\.npz.*'mu'\[1\] is NaN/);
  } finally {
    cleanup();
  }
});
