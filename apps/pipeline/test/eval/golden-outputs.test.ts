/**
 * Byte-identical outputs (issue 12 item 7): `eval`, `reconstruct`, `metrics`, `fid-stats` and `decode` on the tiny
 * seeded checkpoint over the bundled images must keep giving the very numbers and bytes recorded in
 * `fixtures/golden-outputs.json` (recorded before the evaluation graphs moved into the libraries). Files with
 * run-specific bytes (Arrow schema metadata with argv/paths, zip timestamps in .npz) are compared by content: every
 * Arrow column but `shard` (a temp path), every .npz array. `VQRAE_UPDATE_GOLDEN=1` rewrites the fixture.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { tableFromIPC } from 'apache-arrow';
import { listNpz, readNpzArrays } from '@vqrae/eval';
import { runCli } from '../cli/helpers.js';
import { evalFixture, FID_W16_WEIGHTS, type EvalFixture } from './fixtures.js';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/golden-outputs.json');
type Digest = Record<string, unknown>;

let fx: EvalFixture;
before(async () => {
  fx = await evalFixture('golden');
});
after(async () => {
  await fx.cleanup();
});

const sha256 = (bytes: Uint8Array | string): string => crypto.createHash('sha256').update(bytes).digest('hex');

/** Every column of an Arrow file except `shard`: numbers exactly (JSON keeps every double), strings as they are. */
function arrowDigest(file: string): Digest {
  const table = tableFromIPC(fs.readFileSync(file));
  const columns: Digest = {};
  for (const field of table.schema.fields) {
    if (field.name === 'shard') continue;
    const values = [...table.getChild(field.name)!].map((v) => (typeof v === 'bigint' ? String(v) : v));
    columns[field.name] = values;
  }
  return { rows: table.numRows, fields: table.schema.fields.map((f) => `${f.name}:${f.type}`), columns };
}

/** Each array of an .npz: dtype, shape and the sha256 of its raw values. */
async function npzDigest(file: string): Promise<Digest> {
  const names = (await listNpz(file)).sort();
  const arrays = await readNpzArrays(file, names);
  return Object.fromEntries(names.map((n) => {
    const a = arrays.get(n)!;
    if (a.dtype === 'unicode') return [n, { dtype: a.dtype, value: a.data }];
    return [n, { dtype: a.dtype, shape: a.shape, sha256: sha256(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)) }];
  }));
}

/** sha256 of every file below `dir` whose name ends with `ext`, by relative path. */
function fileHashes(dir: string, ext: string): Digest {
  const out: Digest = {};
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(ext)) out[path.relative(dir, full)] = sha256(fs.readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

async function run(args: readonly string[]): Promise<void> {
  const r = await runCli([...args, '--quiet']);
  assert.equal(r.code, 0, `vqrae ${args.join(' ')}\n${r.stderr}${r.stdout}`);
}

test('eval, reconstruct, metrics, fid-stats and decode give the recorded numbers and bytes (tiny checkpoint, bundled images)', async () => {
  const baseline = tf.memory().numTensors;
  const digest: Digest = {};
  const engine = ['--engine', 'tfjs'];

  const evalDir = path.join(fx.dir, 'eval');
  await run(['eval', '--checkpoint', fx.checkpoint, '--data', fx.data, '--batch', '4', '--fd-network', 'encoder', '--previews', '4', ...engine, '--out', evalDir]);
  const summary = JSON.parse(fs.readFileSync(path.join(evalDir, 'summary.json'), 'utf8')) as { eval: { metrics: unknown; frechet: { distance: number; label: string }; codebook: unknown } };
  digest.eval = {
    metrics: arrowDigest(path.join(evalDir, 'metrics.arrow')),
    summaryMetrics: summary.eval.metrics,
    frechet: { label: summary.eval.frechet.label, distance: summary.eval.frechet.distance },
    codebook: summary.eval.codebook,
    npz: Object.fromEntries(await Promise.all(['reconstruction-stats', 'reference-stats', 'reconstruction-moments', 'reference-moments', 'codebook-usage']
      .map(async (n) => [n, await npzDigest(path.join(evalDir, `${n}.npz`))] as const))),
    previews: fileHashes(path.join(evalDir, 'previews'), '.png'),
    previewIndex: JSON.parse(fs.readFileSync(path.join(evalDir, 'previews/previews.json'), 'utf8')).previews.map((p: { key: string }) => p.key),
  };

  const reconDir = path.join(fx.dir, 'recon');
  await run(['reconstruct', '--checkpoint', fx.checkpoint, '--data', fx.data, '--batch', '3', '--crop', 'adm', '--side-by-side', ...engine, '--out', reconDir]);
  const reconPlain = path.join(fx.dir, 'recon-plain');
  await run(['reconstruct', '--checkpoint', fx.checkpoint, '--data', fx.data, '--limit', '5', ...engine, '--out', reconPlain]);
  digest.reconstruct = { sideBySide: fileHashes(path.join(reconDir, 'images'), '.png'), plain: fileHashes(path.join(reconPlain, 'images'), '.png') };

  // Originals against reconstructions, as `metrics` users pair them (key = preview number).
  const refDir = path.join(fx.dir, 'ref');
  const candDir = path.join(fx.dir, 'cand');
  fs.mkdirSync(refDir);
  fs.mkdirSync(candDir);
  for (const f of fs.readdirSync(path.join(evalDir, 'previews')).filter((n) => n.endsWith('.png'))) {
    const [stem, side] = f.replace(/\.png$/, '').split('-');
    fs.copyFileSync(path.join(evalDir, 'previews', f), path.join(side === 'original' ? refDir : candDir, `${stem}.png`));
  }
  const pairsDir = path.join(fx.dir, 'metrics-pairs');
  await run(['metrics', '--reference', refDir, '--candidate', candDir, '--out', pairsDir]);
  digest.metrics = arrowDigest(path.join(pairsDir, 'metrics.arrow'));

  const statsFile = path.join(fx.dir, 'fid-stats.npz');
  const momentsFile = path.join(fx.dir, 'fid-moments.npz');
  const fid = await runCli(['fid-stats', fx.shards[0]!, '--weights', FID_W16_WEIGHTS, '--batch', '2', '--engine', 'tfjs', '--backend', 'wasm', '--out', statsFile, '--moments', momentsFile]);
  assert.equal(fid.code, 0, fid.stderr + fid.stdout);
  digest.fidStats = { stats: await npzDigest(statsFile), moments: await npzDigest(momentsFile) };

  const tokensDir = path.join(fx.dir, 'tokens');
  await run(['dump-tokens', '--checkpoint', fx.checkpoint, '--data', fx.data, '--batch', '4', ...engine, '--out', tokensDir]);
  const decodeDir = path.join(fx.dir, 'decode');
  await run(['decode', '--tokens', tokensDir, '--checkpoint', fx.checkpoint, '--batch', '3', ...engine, '--out', decodeDir]);
  const decodeShards = path.join(fx.dir, 'decode-shards');
  await run(['decode', '--tokens', tokensDir, '--checkpoint', fx.checkpoint, '--shards', path.join(decodeShards, 'd-%03d.tar'), '--max-samples', '4', ...engine, '--out', path.join(fx.dir, 'decode-run')]);
  digest.decode = { png: fileHashes(path.join(decodeDir, 'images'), '.png'), shards: fileHashes(decodeShards, '.tar') };

  assert.equal(tf.memory().numTensors, baseline, 'no tensor left behind');
  const actual = JSON.parse(JSON.stringify(digest)) as Digest;
  if (process.env.VQRAE_UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(GOLDEN), { recursive: true });
    fs.writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 1)}\n`);
  }
  const expected = JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) as Digest;
  for (const part of Object.keys(expected)) assert.deepEqual(actual[part], expected[part], `${part} differs from the recorded outputs`);
});
