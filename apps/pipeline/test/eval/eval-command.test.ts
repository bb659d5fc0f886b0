import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { tableFromIPC } from 'apache-arrow';
import pl from 'nodejs-polars';
import sharp from 'sharp';
import { consoleReporter, cropImage, imagesToTensor, loadImage, readShard } from '@vqrae/data';
import { provenanceFromMetadata, psnr, readStatsNpz, ssimVariantByName, SsimScorer, uint8Image } from '@vqrae/eval';
import { sha256File } from '@vqrae/nn';
import { loadCheckpoint } from '@vqrae/tokenizer';
import { readJson, runCli } from '../cli/helpers.js';
import { evalFixture, FID_W16_WEIGHTS, type EvalFixture } from './fixtures.js';

let fx: EvalFixture;
before(async () => {
  fx = await evalFixture('cmd');
});
after(async () => {
  await fx.cleanup();
});

async function rgb(file: string): Promise<Uint8Array> {
  const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/** Independent reconstruction of one shard as one batch (batch ≥ shard size): adm crop, clamp, round half up. */
async function reconstructShard(shard: string): Promise<Map<string, { original: Uint8Array; reconstruction: Uint8Array }>> {
  const model = await loadCheckpoint(fx.checkpoint);
  try {
    const samples: { key: string; image: Awaited<ReturnType<typeof cropImage>> }[] = [];
    for await (const s of readShard(shard, { reporter: consoleReporter() })) {
      const image = await loadImage(s.files.get('jpg')!, {}, s.meta.key);
      samples.push({ key: s.meta.key, image: await cropImage(image, { protocol: 'adm', size: 32 }, s.meta.key) });
    }
    const input = imagesToTensor(samples.map((s) => s.image));
    const out = model.reconstruct(input);
    const values = (await out.data()) as Float32Array;
    tf.dispose([input, out]);
    const per = 32 * 32 * 3;
    return new Map(samples.map((s, i) => [s.key, {
      original: s.image.data,
      reconstruction: Uint8Array.from(values.subarray(i * per, (i + 1) * per), (v) => Math.min(255, Math.max(0, Math.floor(Math.min(Math.max(v, 0), 1) * 255 + 0.5)))),
    }]));
  } finally {
    model.dispose();
  }
}

test('vqrae eval writes metrics/summary/stats/report with provenance; PSNR and SSIM equal the library on the same uint8 images; FD label; no leaked tensors', async () => {
  const out = path.join(fx.dir, 'run');
  const baseline = tf.memory().numTensors;
  const r = await runCli(['eval', '--checkpoint', fx.checkpoint, '--data', fx.data, '--batch', '4', '--fd-network', 'encoder', '--previews', '10', '--quiet', '--out', out]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(tf.memory().numTensors, baseline, 'tensor count back to baseline after the command');
  for (const f of ['metrics.arrow', 'summary.arrow', 'summary.json', 'report.html', 'reconstruction-stats.npz', 'reference-stats.npz',
    'reconstruction-moments.npz', 'reference-moments.npz', 'codebook-usage.npz', 'eval-partial.json', 'previews/previews.json']) {
    assert.ok(fs.existsSync(path.join(out, f)), `${f} written`);
  }
  const bytes = fs.readFileSync(path.join(out, 'metrics.arrow'));
  const table = tableFromIPC(bytes);
  assert.deepEqual(table.schema.fields.map((f) => f.name),
    ['key', 'shard', 'index', 'psnr', 'ssim', 'ssim_torchmetrics_crop', 'ssim_skimage', 'ssim_skimage_dr2', 'ssim_skimage_gaussian']);
  assert.equal(table.numRows, 10);
  const provenance = provenanceFromMetadata(table.schema.metadata);
  assert.equal(provenance.tool, 'vqrae eval');
  assert.equal(provenance.checkpointSha256, await sha256File(fx.checkpoint));
  assert.match(provenance.extra?.protocol ?? '', /adm\(32\).*round half up/);
  assert.ok(provenance.packages['@tensorflow/tfjs-core']);
  assert.equal((provenance.config as { crop: string }).crop, 'adm');
  const polars = pl.readIPC(bytes); // a second Arrow implementation reads the same file
  assert.equal(polars.height, 10);
  assert.deepEqual(polars.getColumn('psnr').toArray(), [...(table.getChild('psnr')!.toArray() as Float64Array)]);

  // Every preview PNG pair (lossless) scored by the library functions gives the row of metrics.arrow exactly.
  const previews = JSON.parse(fs.readFileSync(path.join(out, 'previews/previews.json'), 'utf8')) as { previews: { key: string; original: string; reconstruction: string }[] };
  assert.equal(previews.previews.length, 10);
  const scorer = new SsimScorer({ torchmetrics: ssimVariantByName('torchmetrics'), skimage: ssimVariantByName('skimage') });
  const byKey = new Map(Array.from({ length: table.numRows }, (_, i) => [String(table.getChild('key')!.get(i)), i]));
  const expected = new Map<string, { original: Uint8Array; reconstruction: Uint8Array }>();
  for (const shard of fx.shards) for (const [k, v] of await reconstructShard(shard)) expected.set(k, v);
  for (const p of previews.previews) {
    const a = uint8Image(await rgb(path.join(out, p.original)), 32, 32, 3);
    const b = uint8Image(await rgb(path.join(out, p.reconstruction)), 32, 32, 3);
    assert.deepEqual(a.data, expected.get(p.key)!.original, `${p.key}: adm crop`);
    assert.deepEqual(b.data, expected.get(p.key)!.reconstruction, `${p.key}: reconstruction clamped and rounded half up`);
    const row = byKey.get(p.key)!;
    const s = scorer.score(a, b);
    assert.equal(table.getChild('psnr')!.get(row), psnr(a, b), `${p.key} psnr`);
    assert.equal(table.getChild('ssim')!.get(row), s.torchmetrics, `${p.key} ssim`);
    assert.equal(table.getChild('ssim_skimage')!.get(row), s.skimage, `${p.key} ssim_skimage`);
  }

  const summary = readJson(path.join(out, 'summary.json')) as { eval: { images: number; frechet: { label: string; nReconstructions: number; distance: number }; metrics: { psnr: { mean: number } }; codebook: { tokens: number } } };
  assert.equal(summary.eval.images, 10);
  assert.match(summary.eval.frechet.label, /^FD\[checkpoint-encoder-[0-9a-f]{12}\]$/);
  assert.equal(summary.eval.frechet.nReconstructions, 10);
  assert.ok(Number.isFinite(summary.eval.frechet.distance) && summary.eval.frechet.distance > 0);
  assert.equal(summary.eval.codebook.tokens, 10 * 64);
  const psnrs = table.getChild('psnr')!.toArray() as Float64Array;
  assert.ok(Math.abs(summary.eval.metrics.psnr.mean - psnrs.reduce((x, y) => x + y, 0) / 10) < 1e-12);
  const summaryArrow = tableFromIPC(fs.readFileSync(path.join(out, 'summary.arrow')));
  assert.equal(summaryArrow.getChild('n_images')!.get(0), 10);
  assert.match(summaryArrow.schema.fields.find((f) => f.name === 'frechet_distance')!.metadata.get('label') ?? '', /^FD\[/);
  const stats = await readStatsNpz(path.join(out, 'reconstruction-stats.npz'));
  assert.equal(stats.count, 10);
  assert.equal(stats.featureSpace?.kind, 'named');
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /FD\[checkpoint-encoder-/);
  assert.match(html, /data:image\/png;base64/);
  assert.doesNotMatch(html + r.stdout + JSON.stringify(summary), /rFID\[/);

  // The stand-alone tools agree with eval: `vqrae fid --stats` on its .npz files, `vqrae metrics` on its PNG pairs.
  const logged: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logged.push(args.join(' '));
  try {
    const fid = await runCli(['fid', '--stats', path.join(out, 'reconstruction-stats.npz'), path.join(out, 'reference-stats.npz'), '--json']);
    assert.equal(fid.code, 0, fid.stderr);
  } finally {
    console.log = log;
  }
  const fidJson = JSON.parse(logged.find((l) => l.startsWith('{'))!) as { label: string; distance: number };
  assert.equal(fidJson.label, summary.eval.frechet.label);
  assert.ok(Math.abs(fidJson.distance - summary.eval.frechet.distance) <= 1e-9 * summary.eval.frechet.distance);
  for (const side of ['reference', 'candidate']) fs.mkdirSync(path.join(fx.dir, side));
  for (const p of previews.previews) {
    fs.copyFileSync(path.join(out, p.original), path.join(fx.dir, 'reference', `${p.key}.png`));
    fs.copyFileSync(path.join(out, p.reconstruction), path.join(fx.dir, 'candidate', `${p.key}.png`));
  }
  const m = await runCli(['metrics', '--reference', path.join(fx.dir, 'reference'), '--candidate', path.join(fx.dir, 'candidate'), '--quiet', '--out', path.join(fx.dir, 'metrics')]);
  assert.equal(m.code, 0, m.stderr);
  const other = tableFromIPC(fs.readFileSync(path.join(fx.dir, 'metrics', 'metrics.arrow')));
  assert.equal(other.numRows, 10);
  for (let i = 0; i < other.numRows; i++) {
    const row = byKey.get(String(other.getChild('key')!.get(i)))!;
    for (const column of ['psnr', 'ssim', 'ssim_skimage_dr2']) assert.equal(other.getChild(column)!.get(i), table.getChild(column)!.get(row), column);
  }
});

test('vqrae eval --dry-run prints the graph and the shard assignment and runs nothing', async () => {
  const out = path.join(fx.dir, 'dry');
  const r = await runCli(['eval', '--checkpoint', fx.checkpoint, '--data', fx.data, '--fd-network', 'none', '--rank', '1', '--world-size', '2', '--dry-run', '--quiet', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /shards\(.*\) → decode\(sharp\) → adm\(32\) → batch\(16, within shard\) → reconstruct\(tiny, k=512, round-half-up uint8\) → \{ psnr\+ssim/);
  assert.match(r.stdout, /rank 1 of 2 .*: 2 shard\(s\): .*val-001\.tar, .*val-003\.tar/);
  assert.ok(!fs.existsSync(path.join(out, 'metrics.arrow')));
  assert.ok(!fs.existsSync(path.join(out, 'eval-partial.json')));
});

test('vqrae eval with (width-reduced test) FID-Inception weights: statistics through the network, labelled FD by the lib, never rFID', async () => {
  const out = path.join(fx.dir, 'fid');
  const r = await runCli(['eval', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--fid-weights', FID_W16_WEIGHTS, '--previews', '0', '--quiet', '--out', out]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const summary = readJson(path.join(out, 'summary.json')) as { eval: { frechet: { label: string; space: { kind: string; name: string }; nReconstructions: number } } };
  assert.equal(summary.eval.frechet.label, 'FD[fid-inception-width-1of16]');
  assert.equal(summary.eval.frechet.nReconstructions, 3);
  assert.match(r.stdout, /FD\[fid-inception-width-1of16\]/);
  assert.doesNotMatch(r.stdout, /rFID\[/);
  const provenance = provenanceFromMetadata(tableFromIPC(fs.readFileSync(path.join(out, 'metrics.arrow'))).schema.metadata);
  assert.equal(provenance.extra?.fid_weights_sha256, await sha256File(FID_W16_WEIGHTS));
  assert.equal((await readStatsNpz(path.join(out, 'reference-stats.npz'))).dim, 2048 / 16);
  // Statistics of another feature space are refused before any work.
  const mismatch = await runCli(['eval', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--fd-network', 'encoder', '--reference-stats', path.join(out, 'reference-stats.npz'), '--quiet', '--out', path.join(fx.dir, 'mismatch')]);
  assert.notEqual(mismatch.code, 0);
  assert.match(mismatch.stderr, /holds FD\[fid-inception-width-1of16\] statistics, this run measures FD\[checkpoint-encoder-/);
  assert.ok(!fs.existsSync(path.join(fx.dir, 'mismatch', 'metrics.arrow')));
});
