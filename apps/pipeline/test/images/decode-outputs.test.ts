import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { consoleReporter, listImageFiles, packImages, readShard } from '@vqrae/data';
import { createVqrae, presetConfig, saveCheckpoint } from '@vqrae/tokenizer';
import { encodeTokenTable, type TokenRow } from '@vqrae/tokens';
import { runCli, tempDir } from '../cli/helpers.js';
import { mountSmallTmpfs } from '../../../../tools/testing/small-tmpfs.js';
import { WORKSPACE_ROOT } from '../../../../tools/testing/fixtures.js';

let dir: string;
let cleanup: () => void;
let checkpoint: string;
let tokensPerImage: number;

before(async () => {
  ({ dir, cleanup } = tempDir('vqrae-decode-'));
  checkpoint = path.join(dir, 'tiny.safetensors');
  const model = await createVqrae(presetConfig('tiny'), { seed: 3 });
  tokensPerImage = model.tokensPerImage;
  try {
    await saveCheckpoint(model, checkpoint);
  } finally {
    model.dispose();
  }
});
after(() => cleanup());

/** One token file per shard, rows keyed as given (tokens seeded by position). */
function writeTokens(folder: string, shards: Record<string, string[]>, tokens = tokensPerImage): string {
  fs.mkdirSync(folder, { recursive: true });
  for (const [s, [shard, keys]] of Object.entries(shards).entries()) {
    const rows: TokenRow[] = keys.map((key, i) => ({ key, shard, tokens: Int32Array.from({ length: tokens }, (_, j) => (s * 101 + i * 7 + j * 13) % 512) }));
    const layout = { gridH: 1, gridW: tokens, codebookSize: 512, passThrough: { label: false, caption: false, json: false }, metadata: new Map<string, string>() };
    fs.writeFileSync(path.join(folder, `${path.basename(shard, '.tar')}.arrow`), encodeTokenTable(rows, layout));
  }
  return folder;
}

function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return (fs.readdirSync(folder, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(folder, f)).isFile()).sort();
}

test('decode refuses keys that repeat across shards instead of overwriting one image with another (issue 14.3)', async () => {
  const tokens = writeTokens(path.join(dir, 'tokdup'), { 'sa/a-000000.tar': ['same', 'only-a'], 'sb/b-000000.tar': ['same'] });
  const baseline = tf.memory().numTensors;
  const png = await runCli(['decode', '--tokens', tokens, '--checkpoint', checkpoint, '--out', path.join(dir, 'decdup'), '--quiet']);
  assert.equal(png.code, 2, png.stdout + png.stderr);
  assert.match(png.stderr + png.stdout, /key 'same' appears twice \(shards 'sa\/a-000000\.tar' and 'sb\/b-000000\.tar'\).*--prefix-shard/);
  assert.deepEqual(filesUnder(path.join(dir, 'decdup', 'images')), [], 'refused before any image is written');
  assert.equal(tf.memory().numTensors, baseline);
  const sharded = await runCli(['decode', '--tokens', tokens, '--checkpoint', checkpoint, '--shards', path.join(dir, 'recon-%06d.tar'), '--out', path.join(dir, 'decdup-shards'), '--quiet']);
  assert.equal(sharded.code, 2, sharded.stdout + sharded.stderr);
  assert.match(sharded.stderr + sharded.stdout, /key 'same' appears twice/);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('recon-') || f.includes('.tmp-')), [], 'no shard and no temporary left');
});

test('decode --prefix-shard names outputs <shard>/<key>: both images written, PNG files and shards (issue 14.3)', async () => {
  const tokens = writeTokens(path.join(dir, 'tokdup2'), { 'sa/a-000000.tar': ['same'], 'sb/b-000000.tar': ['same'] });
  const out = path.join(dir, 'dec-prefixed');
  const png = await runCli(['decode', '--tokens', tokens, '--checkpoint', checkpoint, '--out', out, '--prefix-shard', '--quiet']);
  assert.equal(png.code, 0, png.stdout + png.stderr);
  assert.deepEqual(filesUnder(path.join(out, 'images')), ['a-000000/same.png', 'b-000000/same.png']);
  const a = fs.readFileSync(path.join(out, 'images/a-000000/same.png'));
  assert.notDeepEqual(a, fs.readFileSync(path.join(out, 'images/b-000000/same.png')), 'two different images (different tokens)');
  const pattern = path.join(dir, 'prefixed-%06d.tar');
  const sharded = await runCli(['decode', '--tokens', tokens, '--checkpoint', checkpoint, '--shards', pattern, '--prefix-shard', '--out', path.join(dir, 'dec-prefixed-shards'), '--quiet']);
  assert.equal(sharded.code, 0, sharded.stdout + sharded.stderr);
  const keys: string[] = [];
  for await (const s of readShard(path.join(dir, 'prefixed-000000.tar'), { reporter: consoleReporter() })) keys.push(s.meta.key);
  assert.deepEqual(keys, ['a-000000/same', 'b-000000/same']);
});

test('decode with tokens of another token count names the checkpoint file and its preset', async () => {
  const tokens = writeTokens(path.join(dir, 'tok-other'), { 's-000000.tar': ['x'] }, 49);
  const r = await runCli(['decode', '--tokens', tokens, '--checkpoint', checkpoint, '--out', path.join(dir, 'dec-other'), '--quiet']);
  assert.equal(r.code, 1);
  assert.ok((r.stderr + r.stdout).includes(`checkpoint '${checkpoint}' (preset tiny) expects ${tokensPerImage}`), r.stderr + r.stdout);
  assert.match(r.stderr + r.stdout, /row 'x' .*has 49 tokens/);
});

test('decode on a full disk fails naming the PNG, leaves no partial PNG, no temporary and no 0-byte summary.json (issue 14.5)', async (t) => {
  const disk = mountSmallTmpfs(48);
  if ('skip' in disk) {
    t.skip(disk.skip);
    return;
  }
  try {
    const keys = Array.from({ length: 40 }, (_, i) => `img${String(i).padStart(3, '0')}`);
    const tokens = writeTokens(path.join(dir, 'tok-many'), { 's-000000.tar': keys });
    const out = path.join(disk.dir, 'dec');
    const r = await runCli(['decode', '--tokens', tokens, '--checkpoint', checkpoint, '--out', out, '--quiet']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, /cannot write '[^']*\/images\/img\d{3}\.png': ENOSPC.*disk is full/);
    const files = filesUnder(out);
    assert.deepEqual(files.filter((f) => f.includes('.tmp-')), [], 'no temporary file left');
    for (const f of files) assert.ok(fs.statSync(path.join(out, f)).size > 0, `${f} is not empty`);
    const pngs = files.filter((f) => f.endsWith('.png'));
    assert.ok(pngs.length < keys.length, 'the disk filled before every image was written');
    for (const f of pngs) assert.equal(fs.readFileSync(path.join(out, f)).subarray(1, 4).toString('latin1'), 'PNG', `${f} is a whole PNG`);
    if (files.includes('summary.json')) JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  } finally {
    disk.unmount();
  }
});

test('reconstruct refuses an image key repeated across shards; --prefix-shard writes both (issue 14.3, same class)', async () => {
  const images = path.join(WORKSPACE_ROOT, 'assets/images');
  for (const [folder, source] of [['a', 'aurora.jpg'], ['b', 'bubbles.jpg']] as const) {
    fs.mkdirSync(path.join(dir, 'same', folder), { recursive: true });
    fs.copyFileSync(path.join(images, source), path.join(dir, 'same', folder, 'same.jpg'));
    await packImages(await listImageFiles(path.join(dir, 'same', folder)), { pattern: path.join(dir, 'same', `${folder}-%06d.tar`) });
  }
  const data = `${path.join(dir, 'same', 'a-000000.tar')}::${path.join(dir, 'same', 'b-000000.tar')}`;
  const refused = await runCli(['reconstruct', '--checkpoint', checkpoint, '--data', data, '--out', path.join(dir, 'rec-dup'), '--quiet']);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr + refused.stdout, /key 'same' appears twice \(shards '.*a-000000\.tar' and '.*b-000000\.tar'\)/);
  const out = path.join(dir, 'rec-prefixed');
  const written = await runCli(['reconstruct', '--checkpoint', checkpoint, '--data', data, '--out', out, '--prefix-shard', '--quiet']);
  assert.equal(written.code, 0, written.stdout + written.stderr);
  assert.deepEqual(filesUnder(path.join(out, 'images')), ['a-000000/same.png', 'b-000000/same.png']);
});
