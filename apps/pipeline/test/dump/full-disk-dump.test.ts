import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { listImageFiles, packImages } from '@vqrae/data';
import { createVqrae, presetConfig, saveCheckpoint } from '@vqrae/tokenizer';
import { mountSmallTmpfs } from '../../../../tools/testing/small-tmpfs.js';
import { WORKSPACE_ROOT } from '../../../../tools/testing/fixtures.js';
import { runCli, tempDir } from '../cli/helpers.js';

let dir: string;
let cleanup: () => void;
let checkpoint: string;
let data: string;

before(async () => {
  ({ dir, cleanup } = tempDir('vqrae-full-dump-'));
  checkpoint = path.join(dir, 'tiny.safetensors');
  const model = await createVqrae(presetConfig('tiny'), { seed: 7 });
  try {
    await saveCheckpoint(model, checkpoint);
  } finally {
    model.dispose();
  }
  await packImages(await listImageFiles(path.join(WORKSPACE_ROOT, 'assets/images')), { pattern: path.join(dir, 's-%06d.tar'), maxSamples: 5 });
  data = path.join(dir, 's-{000000..000001}.tar');
});
after(() => cleanup());

const tokenFiles = (folder: string): string[] => fs.readdirSync(folder).filter((f) => f.endsWith('.arrow')).sort();

test('dump-tokens on a full disk names the file, leaves no empty or temporary file, and resumes to the same tokens once space is freed (issue 14.5)', async (t) => {
  const disk = mountSmallTmpfs(64);
  if ('skip' in disk) {
    t.skip(disk.skip);
    return;
  }
  try {
    const reference = path.join(dir, 'tok-ref');
    const args = (out: string): string[] => ['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out, '--quiet'];
    assert.equal((await runCli(args(reference))).code, 0);
    const filler = path.join(disk.dir, 'filler');
    fs.writeFileSync(filler, Buffer.alloc(48 * 1024)); // leaves 4 pages: the run folder's records fit, the tokens do not
    const out = path.join(disk.dir, 'tok');
    const full = await runCli(args(out));
    assert.equal(full.code, 1, full.stdout + full.stderr);
    assert.match(full.stderr + full.stdout, /cannot write '[^']*\/tok\/[^']+': ENOSPC.*\(the disk is full\)/);
    for (const name of fs.existsSync(out) ? fs.readdirSync(out) : []) {
      assert.ok(!name.includes('.tmp-'), `no temporary file left: ${name}`);
      assert.ok(fs.statSync(path.join(out, name)).size > 0, `${name} is not empty`);
    }
    fs.rmSync(filler);
    const resumed = await runCli(args(out));
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.deepEqual(tokenFiles(out), tokenFiles(reference));
    for (const name of tokenFiles(reference)) {
      assert.ok(fs.readFileSync(path.join(out, name)).equals(fs.readFileSync(path.join(reference, name))), `${name} is byte-identical to a dump on a roomy disk`);
    }
  } finally {
    disk.unmount();
  }
});
