/**
 * `--decode-mode` on the evaluation commands (README "Decode modes"): each accepts the flag, defaults to `exact`,
 * records the mode (config.json, summary.json, Arrow metadata, statistics files), labels `fast` results, and on
 * large JPEGs the `fast` crops stay within `FAST_DECODE_CONTRACT.minPsnrDb` of the `exact` ones in the outputs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { tableFromIPC } from 'apache-arrow';
import { FAST_DECODE_CONTRACT, ShardWriter } from '@vqrae/data';
import { psnr, readStatsNpz, uint8Image } from '@vqrae/eval';
import { largePhotoJpeg } from '../../../../tools/testing/large-photos.js';
import { evalFixture, FID_W16_WEIGHTS, type EvalFixture } from '../eval/fixtures.js';
import { readJson, runCli } from './helpers.js';

let fx: EvalFixture;
let large: string;
before(async () => {
  fx = await evalFixture('decode-modes');
  const writer = new ShardWriter({ pattern: path.join(fx.dir, 'large-%03d.tar') });
  for (let i = 0; i < 3; i++) await writer.write({ key: `photo${i}`, files: { jpg: await largePhotoJpeg(i, 1024, 768) } });
  large = (await writer.close())[0]!.path;
});
after(async () => {
  await fx.cleanup();
});

/** The pixels of a PNG (or of its columns `left .. left + width`) as 8-bit [H, W, 3]. */
async function png(file: string, left = 0, width?: number): Promise<ReturnType<typeof uint8Image>> {
  const meta = await sharp(file).metadata();
  const w = width ?? meta.width!;
  const data = await sharp(file).extract({ left, top: 0, width: w, height: meta.height! }).removeAlpha().raw().toBuffer();
  return uint8Image(new Uint8Array(data), meta.height!, w, 3);
}

const options = (dir: string): Record<string, unknown> => readJson(path.join(dir, 'config.json')).options as Record<string, unknown>;
const arrowMetadata = (file: string): Map<string, string> => tableFromIPC(fs.readFileSync(file)).schema.metadata;

test('eval: exact by default; fast is recorded, labelled, and its reference crops of large JPEGs are within the contract', async () => {
  const run = async (mode: string | null): Promise<{ out: string; stdout: string }> => {
    const out = path.join(fx.dir, `eval-${mode ?? 'default'}`);
    const args = ['eval', '--checkpoint', fx.checkpoint, '--data', large, '--crop', 'center', '--fd-network', 'none', '--ssim-extra', 'none', '--previews', '3', '--out', out, '--quiet'];
    const r = await runCli(mode ? [...args, '--decode-mode', mode] : args);
    assert.equal(r.code, 0, r.stderr);
    return { out, stdout: r.stdout };
  };
  const exact = await run(null);
  const fast = await run('fast');
  for (const [{ out, stdout }, mode] of [[exact, 'exact'], [fast, 'fast']] as const) {
    assert.equal(options(out).decodeMode, mode);
    assert.equal((readJson(path.join(out, 'summary.json')).eval as { decodeMode: string }).decodeMode, mode);
    assert.equal(arrowMetadata(path.join(out, 'metrics.arrow')).get('vqrae.decode_mode'), mode);
    assert.equal((readJson(path.join(out, 'eval-partial.json')).identity as { decodeMode: string }).decodeMode, mode);
    if (mode === 'fast') assert.match(stdout, /\[decode fast: not the reference protocol\]/);
    else assert.doesNotMatch(stdout, /decode fast/);
  }
  for (let i = 0; i < 3; i++) {
    const files = fs.readdirSync(path.join(exact.out, 'previews')).filter((f) => f.endsWith('-original.png')).sort();
    assert.equal(files.length, 3);
    const a = await png(path.join(exact.out, 'previews', files[i]!));
    const b = await png(path.join(fast.out, 'previews', files[i]!));
    const db = psnr(a, b);
    assert.ok(db >= FAST_DECODE_CONTRACT.minPsnrDb, `${files[i]}: fast vs exact reference crop ${db.toFixed(2)} dB < ${FAST_DECODE_CONTRACT.minPsnrDb}`);
    assert.ok(db < 100, `${files[i]}: fast decoded identically to exact (100 dB): shrink-on-load did not run`);
  }
});

test('eval --crop adm (the default): fast replaces the box halvings by shrink-on-load, within the contract', async () => {
  const writer = new ShardWriter({ pattern: path.join(fx.dir, 'adm-%03d.tar') });
  // 512×384 → adm(32): 3 halvings, both sides divisible by 8 (else fast keeps the exact path)
  for (let i = 0; i < 2; i++) await writer.write({ key: `photo${i}`, files: { jpg: await largePhotoJpeg(i + 3, 512, 384) } });
  const shard = (await writer.close())[0]!.path;
  const run = async (mode: string): Promise<string> => {
    const out = path.join(fx.dir, `eval-adm-${mode}`);
    const r = await runCli(['eval', '--checkpoint', fx.checkpoint, '--data', shard, '--fd-network', 'none', '--ssim-extra', 'none', '--previews', '2', '--decode-mode', mode, '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(arrowMetadata(path.join(out, 'metrics.arrow')).get('vqrae.decode_mode'), mode);
    return out;
  };
  const exact = await run('exact');
  const fast = await run('fast');
  const files = fs.readdirSync(path.join(exact, 'previews')).filter((f) => f.endsWith('-original.png')).sort();
  assert.equal(files.length, 2);
  for (const file of files) {
    const db = psnr(await png(path.join(exact, 'previews', file)), await png(path.join(fast, 'previews', file)));
    assert.ok(db >= FAST_DECODE_CONTRACT.minPsnrDb && db < 100, `${file}: fast vs exact adm crop ${db.toFixed(2)} dB`);
  }
});

test('reconstruct: exact by default, fast recorded; the original halves of large JPEGs are within the contract', async () => {
  const run = async (mode: string | null): Promise<string> => {
    const out = path.join(fx.dir, `recon-${mode ?? 'default'}`);
    const args = ['reconstruct', '--checkpoint', fx.checkpoint, '--data', large, '--side-by-side', '--out', out, '--quiet'];
    const r = await runCli(mode ? [...args, '--decode-mode', mode] : args);
    assert.equal(r.code, 0, r.stderr);
    return out;
  };
  const exact = await run(null);
  const fast = await run('fast');
  assert.equal(options(exact).decodeMode, 'exact');
  assert.equal(readJson(path.join(exact, 'summary.json')).decodeMode, 'exact');
  assert.equal(readJson(path.join(fast, 'summary.json')).decodeMode, 'fast');
  const files = fs.readdirSync(path.join(exact, 'images')).sort();
  assert.deepEqual(files, ['photo0.png', 'photo1.png', 'photo2.png']);
  for (const file of files) {
    const a = await png(path.join(exact, 'images', file), 0, 32); // [32, 32, 3]: the model input (original half)
    const b = await png(path.join(fast, 'images', file), 0, 32);
    const db = psnr(a, b);
    assert.ok(db >= FAST_DECODE_CONTRACT.minPsnrDb && db < 100, `${file}: fast vs exact input ${db.toFixed(2)} dB`);
  }
});

test('metrics: exact by default; fast is recorded and (full-size decode) scores identically', async () => {
  const run = async (mode: string | null): Promise<string> => {
    const out = path.join(fx.dir, `metrics-${mode ?? 'default'}`);
    const args = ['metrics', '--reference', fx.shards[0]!, '--candidate', fx.shards[0]!, '--ssim', 'torchmetrics', '--out', out, '--quiet'];
    const r = await runCli(mode ? [...args, '--decode-mode', mode] : args);
    assert.equal(r.code, 0, r.stderr);
    return out;
  };
  const exact = await run(null);
  const fast = await run('fast');
  assert.equal(arrowMetadata(path.join(exact, 'metrics.arrow')).get('vqrae.decode_mode'), 'exact');
  assert.equal(arrowMetadata(path.join(fast, 'metrics.arrow')).get('vqrae.decode_mode'), 'fast');
  const values = (dir: string): number[] => [...(tableFromIPC(fs.readFileSync(path.join(dir, 'metrics.arrow'))).getChild('ssim')!.toArray() as Float64Array)];
  assert.deepEqual(values(fast), values(exact));
});

test('fid-stats: the .npz carries decode_mode; vqrae fid notes when two files differ', async () => {
  const write = async (mode: string): Promise<string> => {
    const out = path.join(fx.dir, `stats-${mode}.npz`);
    const r = await runCli(['fid-stats', fx.shards[0]!, '--weights', FID_W16_WEIGHTS, '--decode-mode', mode, '--engine', 'tfjs', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    return out;
  };
  const exact = await write('exact');
  const fast = await write('fast');
  assert.equal((await readStatsNpz(exact)).decodeMode, 'exact');
  assert.equal((await readStatsNpz(fast)).decodeMode, 'fast');
  const logged: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logged.push(args.join(' '));
  try {
    assert.equal((await runCli(['fid', '--stats', exact, fast, '--json'])).code, 0);
    assert.equal((await runCli(['fid', '--stats', exact, exact, '--json'])).code, 0);
  } finally {
    console.log = log;
  }
  const [differ, same] = logged.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { notes: string[]; distance: number });
  assert.ok(differ!.notes.some((n) => /decode modes differ .*exact.*fast/.test(n)), JSON.stringify(differ!.notes));
  assert.ok(!same!.notes.some((n) => /decode modes/.test(n)));
  assert.equal(differ!.distance, same!.distance); // full-size decode: the same pixels, the same statistics
  const bad = await runCli(['fid-stats', fx.shards[0]!, '--weights', FID_W16_WEIGHTS, '--decode-mode', 'quick', '--out', path.join(fx.dir, 'bad.npz')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--decode-mode must be one of fast, exact/);
});
