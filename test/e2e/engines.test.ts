import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { listImageFiles, packImages } from '@vqrae/data';
import { main } from '@vqrae/pipeline';
import { decodeTokenTable } from '@vqrae/tokens';
import { createVqrae, presetConfig, saveCheckpoint } from '@vqrae/tokenizer';
import { ROOT, tempDir } from './helpers.js';

// The same commands on the ONNX Runtime engine and on the tfjs engine, in this process (as bin/vqrae.mjs runs them).
let work: string;
let checkpoint: string;
let data: string;
let onnxLoads = false;

async function vqrae(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'vqrae', ...args, '--backend', 'wasm'], { writeOut: (t) => void (stdout += t), writeErr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** key → hex of the token column, over every .arrow file of a dump folder; plus the files' metadata. */
async function readDump(dir: string): Promise<{ byKey: Map<string, string>; metadata: Map<string, string>[] }> {
  const byKey = new Map<string, string>();
  const metadata: Map<string, string>[] = [];
  for (const name of (await fs.readdir(dir)).filter((f) => f.endsWith('.arrow')).sort()) {
    const table = decodeTokenTable(await fs.readFile(path.join(dir, name)));
    metadata.push(table.metadata);
    for (const row of table.rows) byKey.set(row.key, Buffer.from(row.tokens.buffer, row.tokens.byteOffset, row.tokens.byteLength).toString('hex'));
  }
  return { byKey, metadata };
}

/** Every PNG under a folder (relative name → raw RGB). */
async function readPngs(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of (await fs.readdir(dir, { recursive: true })).filter((f) => f.endsWith('.png')).sort()) {
    out.set(name, await sharp(path.join(dir, name)).raw().toBuffer());
  }
  return out;
}

/** Largest per-byte difference and the share of differing bytes between two image folders with the same names. */
async function comparePngs(a: string, b: string): Promise<{ images: number; maxDiff: number; differing: number }> {
  const [x, y] = [await readPngs(a), await readPngs(b)];
  assert.deepEqual([...x.keys()], [...y.keys()]);
  let maxDiff = 0;
  let differing = 0;
  let total = 0;
  for (const [name, pixels] of x) {
    const other = y.get(name)!;
    assert.equal(pixels.length, other.length, name);
    for (let i = 0; i < pixels.length; i++) {
      const d = Math.abs(pixels[i]! - other[i]!);
      maxDiff = Math.max(maxDiff, d);
      differing += d > 0 ? 1 : 0;
    }
    total += pixels.length;
  }
  return { images: x.size, maxDiff, differing: differing / total };
}

before(async () => {
  const { loadOnnxRuntime } = await import('@vqrae/onnx');
  onnxLoads = (await loadOnnxRuntime()).ok;
  work = await tempDir('engines');
  checkpoint = path.join(work, 'tiny.safetensors');
  const model = await createVqrae(presetConfig('tiny'), { seed: 3 });
  await saveCheckpoint(model, checkpoint);
  model.dispose();
  const files = (await listImageFiles(path.join(ROOT, 'assets/images'))).slice(0, 6);
  await packImages(files, { pattern: path.join(work, 'shards/s-%03d.tar'), maxSamples: 2 });
  data = path.join(work, 'shards/s-{000..002}.tar');
});

after(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

test('dump-tokens --engine onnx and --engine tfjs write identical token columns; the engine is in provenance, not in the fingerprint', async (t) => {
  if (!onnxLoads) return t.skip('onnxruntime-node does not load here');
  const runs: Record<string, string> = {};
  for (const engine of ['onnx', 'tfjs']) {
    runs[engine] = path.join(work, `tokens-${engine}`);
    const r = await vqrae(['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', runs[engine]!, '--engine', engine, '--batch', '4']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`engine: ${engine} \\(.*forced by --engine\\)`));
  }
  const onnx = await readDump(runs.onnx!);
  const tfjs = await readDump(runs.tfjs!);
  assert.equal(onnx.byKey.size, 6);
  assert.deepEqual(onnx.byKey, tfjs.byKey, 'ONNX Runtime and tfjs tokens are identical');
  assert.equal(JSON.parse(onnx.metadata[0]!.get('vqrae.engine')!).engine, 'onnx');
  assert.equal(JSON.parse(tfjs.metadata[0]!.get('vqrae.engine')!).engine, 'tfjs');
  const manifest = async (dir: string) => JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { fingerprint: unknown; provenance: { engine: { engine: string } } };
  assert.deepEqual((await manifest(runs.onnx!)).fingerprint, (await manifest(runs.tfjs!)).fingerprint);
  assert.equal((await manifest(runs.onnx!)).provenance.engine.engine, 'onnx');
  const config = JSON.parse(await fs.readFile(path.join(runs.onnx!, 'config.json'), 'utf8')) as { engine: { engine: string; provider: string; threads: number } };
  assert.equal(config.engine.engine, 'onnx');
  assert.equal(config.engine.provider, 'cpu');
  assert.ok(Number.isSafeInteger(config.engine.threads) && config.engine.threads >= 1);

  // decode of those tokens on either engine: the same images within one uint8 step.
  for (const engine of ['onnx', 'tfjs']) {
    const r = await vqrae(['decode', '--tokens', runs.tfjs!, '--checkpoint', checkpoint, '--out', path.join(work, `decode-${engine}`), '--engine', engine, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  }
  const decoded = await comparePngs(path.join(work, 'decode-onnx/images'), path.join(work, 'decode-tfjs/images'));
  assert.equal(decoded.images, 6);
  assert.ok(decoded.maxDiff <= 1 && decoded.differing < 0.01, `decode onnx vs tfjs: ${JSON.stringify(decoded)}`);
});

test('reconstruct --engine onnx and --engine tfjs: the same images within one uint8 step', async (t) => {
  if (!onnxLoads) return t.skip('onnxruntime-node does not load here');
  for (const engine of ['onnx', 'tfjs']) {
    const r = await vqrae(['reconstruct', '--checkpoint', checkpoint, '--data', data, '--out', path.join(work, `recon-${engine}`), '--engine', engine, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  }
  const recon = await comparePngs(path.join(work, 'recon-onnx/images'), path.join(work, 'recon-tfjs/images'));
  assert.equal(recon.images, 6);
  assert.ok(recon.maxDiff <= 1 && recon.differing < 0.01, `reconstruct onnx vs tfjs: ${JSON.stringify(recon)}`);
});
