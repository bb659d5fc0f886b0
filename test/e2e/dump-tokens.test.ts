import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeTokenTable, readDumpManifest } from '@vqrae/tokens';
import { readTokenFile } from '@vqrae/tokens';
import { ROOT, tempDir, vqrae, vqraeInterruptedWhen, vqraeKilledAfter, vqraeKilledWhen } from './helpers.js';

let work: string;
let checkpoint: string;
let data: string;

/** key → tokens of every row in a dump folder (every .arrow file), plus the number of rows. */
async function readDump(dir: string): Promise<{ byKey: Map<string, string>; rows: number }> {
  const byKey = new Map<string, string>();
  let rows = 0;
  for (const name of (await fs.readdir(dir)).filter((f) => f.endsWith('.arrow')).sort()) {
    for (const row of decodeTokenTable(await fs.readFile(path.join(dir, name))).rows) {
      rows += 1;
      byKey.set(row.key, Buffer.from(row.tokens.buffer, row.tokens.byteOffset, row.tokens.byteLength).toString('hex'));
    }
  }
  return { byKey, rows };
}

/** Same as readDump for the parquet or megatron files of a `--format arrow,parquet,megatron` dump (issue 13.5). */
async function readFormat(dir: string, format: 'parquet' | 'megatron'): Promise<{ byKey: Map<string, string>; rows: number }> {
  const byKey = new Map<string, string>();
  let rows = 0;
  const ext = format === 'parquet' ? '.parquet' : '.idx';
  for (const name of (await fs.readdir(dir)).filter((f) => f.endsWith(ext) && !f.startsWith('.')).sort()) {
    for (const s of (await readTokenFile(path.join(dir, name))).sequences) {
      rows += 1;
      byKey.set(s.key, Buffer.from(s.ids.buffer, s.ids.byteOffset, s.ids.byteLength).toString('hex')); // Int32 ids, as readDump
    }
  }
  return { byKey, rows };
}

/** The formats the rank-split and SIGKILL tests write together (every format of a shard is one atomic unit). */
const FORMATS = ['--format', 'arrow,parquet,megatron'];

before(async () => {
  work = await tempDir('dump');
  checkpoint = path.join(work, 'tiny.safetensors');
  let r = vqrae(['init', '--preset', 'tiny', '--seed', '3', '--out', checkpoint]);
  assert.equal(r.status, 0, r.stderr);
  // 10 bundled photos → 5 shards of 2 images, each with a label side member.
  const images = path.join(work, 'images');
  await fs.mkdir(images);
  const photos = (await fs.readdir(path.join(ROOT, 'assets/images'))).filter((f) => f.endsWith('.jpg')).sort();
  for (const [i, photo] of photos.entries()) {
    await fs.copyFile(path.join(ROOT, 'assets/images', photo), path.join(images, photo));
    await fs.writeFile(path.join(images, photo.replace(/\.jpg$/, '.cls')), String(i));
  }
  r = vqrae(['make-shards', images, path.join(work, 'shards/s-%03d.tar'), '--max-samples', '2', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  data = path.join(work, 'shards/s-{000..004}.tar');
});

test('dump-tokens: every image once, labels passed through, manifest consistent; rank split gives byte-identical tokens (also in parquet and megatron)', async () => {
  const single = path.join(work, 'single');
  const r = vqrae(['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', single, '--batch', '3', '--rows-per-file', '1', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /seen 10 = written 10 \+ skipped 0/);
  const reference = await readDump(single);
  assert.equal(reference.rows, 10);
  assert.equal(reference.byKey.size, 10);
  const manifest = JSON.parse(await fs.readFile(path.join(single, 'manifest.json'), 'utf8'));
  assert.equal(manifest.inputs.length, 5);
  assert.equal(manifest.outputs.length, 10);
  const first = decodeTokenTable(await fs.readFile(path.join(single, manifest.outputs[0].file)));
  assert.equal(first.metadata.get('vqrae.codebook_size'), '512');
  assert.equal(typeof first.rows[0]!.label, 'number');

  const split = path.join(work, 'split');
  for (const rank of [0, 1]) {
    const out = vqrae(['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', split, '--batch', '2', ...FORMATS, '--quiet'], { RANK: String(rank), WORLD_SIZE: '2' });
    assert.equal(out.status, 0, out.stderr);
  }
  const merged = vqrae(['merge-manifests', split]);
  assert.equal(merged.status, 0, merged.stderr + merged.stdout);
  const splitDump = await readDump(split);
  assert.deepEqual(splitDump.byKey, reference.byKey, 'rank split (and another batch size) gives identical token columns');
  for (const format of ['parquet', 'megatron'] as const) assert.deepEqual((await readFormat(split, format)).byKey, reference.byKey, `rank split, ${format}`);
});

test('describe / --dry-run prints the dump graph and writes no output files', async () => {
  const out = path.join(work, 'dry');
  const r = vqrae(['describe', 'dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /shards\(.*rank 0\/1.*\) → decode\(sharp, center\(32\), fast\) → batch\(16, within shard\) → sides → tokenize\(tiny, k=512\) → arrow\(tokens, 10000 rows\/file, exactly once per shard\)/);
  assert.deepEqual((await fs.readdir(out)).filter((f) => f.endsWith('.arrow') || f.startsWith('manifest')), []);
});

test('dump-tokens killed with SIGKILL at random points and rerun produces every sample exactly once, identical tokens (arrow, parquet and megatron)', async () => {
  const reference = await readDump(path.join(work, 'single'));
  const out = path.join(work, 'killed');
  const args = ['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out, '--batch', '1', '--rows-per-file', '1', ...FORMATS, '--quiet'];
  const doneShards = async (): Promise<number> => {
    const manifest = await readDumpManifest(path.join(out, 'manifest-rank00000-of-00001.json')); // journal included
    return (manifest?.inputs ?? []).filter((i) => i.status === 'done').length;
  };
  const hasTemp = async (): Promise<boolean> => (await fs.readdir(out)).some((f) => f.includes('.tmp-'));
  // Kill points: mid-shard (a part written under its temporary name), right after a shard was committed, and at a
  // seeded random time.
  const outcomes = [
    await vqraeKilledWhen(args, hasTemp),
    await vqraeKilledWhen(args, async () => (await doneShards()) >= 2),
    await vqraeKilledAfter(args, 2000 + Math.floor(((12345 * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 * 3000)),
  ];
  const kills = outcomes.filter((o) => o === 'killed').length;
  assert.ok(kills >= 2, `expected at least 2 of 3 runs to be killed mid-job, got ${outcomes.join(', ')}`);
  const final = vqrae(args);
  assert.equal(final.status, 0, final.stderr);
  const dump = await readDump(out);
  assert.equal(dump.rows, 10, `exactly once after ${kills} kill(s)`);
  assert.deepEqual(dump.byKey, reference.byKey);
  for (const format of ['parquet', 'megatron'] as const) {
    const other = await readFormat(out, format);
    assert.equal(other.rows, 10, `${format}: exactly once after ${kills} kill(s)`);
    assert.deepEqual(other.byKey, reference.byKey, format);
  }
  const leftovers = (await fs.readdir(out)).filter((f) => f.includes('.tmp-'));
  assert.deepEqual(leftovers, []);
});

test('Ctrl-C during dump-tokens exits 130 with status "cancelled"; the rerun resumes and gives every sample exactly once (issue 14.9)', async () => {
  const reference = await readDump(path.join(work, 'single'));
  const out = path.join(work, 'ctrl-c');
  const args = ['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out, '--batch', '1', '--rows-per-file', '1'];
  const hasTemp = async (): Promise<boolean> => (await fs.readdir(out)).some((f) => f.includes('.tmp-'));
  const run = await vqraeInterruptedWhen(args, hasTemp);
  assert.ok(run.interrupted, 'the interrupt reached the job mid-shard');
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /cancelled/);
  const summary = JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8')) as { status: string; exitCode: number };
  assert.equal(summary.status, 'cancelled');
  assert.equal(summary.exitCode, 130);
  assert.deepEqual((await fs.readdir(out)).filter((f) => f.includes('.tmp-') || f.endsWith('.lock')), [], 'no temp files or lock left behind');
  const rerun = vqrae([...args, '--quiet']);
  assert.equal(rerun.status, 0, rerun.stderr);
  const dump = await readDump(out);
  assert.equal(dump.rows, 10);
  assert.deepEqual(dump.byKey, reference.byKey);
});
