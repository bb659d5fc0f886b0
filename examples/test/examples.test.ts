import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as arrow from 'apache-arrow';
import { cropImages, DatasetSpec, decodeImages } from '@vqrae/data';
import { collectSink, Graph } from '@vqrae/graph';
import { featuresStage, imageBatches, loadCheckpoint, ShippedCheckpointError, tfjsEngine, type FeatureOutputs, type ImageBatchRecord } from '@vqrae/tokenizer';
import { readTokenFile } from '@vqrae/tokens';
import { tokensToJsonl } from '../custom-sink.js';
import { featureDump } from '../feature-dump.js';
import { tokensAndPsnr } from '../tokens-and-psnr.js';
import { makeTinyData, type TinyData } from './tiny-data.js';

let data: TinyData;
before(async () => {
  data = await makeTinyData();
});
after(async () => {
  await fs.rm(data.dir, { recursive: true, force: true });
});

/** key → token ids of every token file the sink wrote. */
async function tokensByKey(files: readonly string[]): Promise<Map<string, number[]>> {
  const byKey = new Map<string, number[]>();
  for (const file of files) for (const s of (await readTokenFile(file)).sequences) byKey.set(s.key, [...s.ids]);
  return byKey;
}

test('examples: tokens-and-psnr and custom-sink write the same tokens for every image; PSNR is a real per-image mean', async () => {
  const baseline = tf.memory().numTensors;
  const out = path.join(data.dir, 'tokens');
  const psnr = await tokensAndPsnr(data.shards, data.checkpoint, out);
  assert.equal(psnr.count, data.images);
  assert.ok(psnr.mean > 0 && psnr.mean < 100, `mean PSNR ${psnr.mean}`);
  assert.deepEqual(JSON.parse(await fs.readFile(path.join(out, 'psnr.json'), 'utf8')), psnr);
  const arrowFiles = (await fs.readdir(out)).filter((f) => f.endsWith('.arrow')).sort();
  assert.equal(arrowFiles.length, 3, 'one token file per input shard');
  const fromTokenFiles = await tokensByKey(arrowFiles.map((f) => path.join(out, f)));

  const runDir = path.join(data.dir, 'tokens-jsonl');
  assert.equal(await tokensToJsonl(data.shards, data.checkpoint, runDir), data.images);
  const jsonl = path.join(runDir, 'tokens.jsonl');
  const readRecord = async (name: string): Promise<Record<string, unknown>> => JSON.parse(await fs.readFile(path.join(runDir, name), 'utf8')) as Record<string, unknown>;
  const summary = await readRecord('summary.json');
  assert.deepEqual([summary.command, summary.status, summary.exitCode], ['tokens-jsonl', 'ok', 0], 'run records of runGraphInFolder');
  assert.deepEqual((await readRecord('config.json')).config, { shards: data.shards, checkpoint: data.checkpoint });
  const lines = (await fs.readFile(jsonl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { key: string; tokens: number[] });
  assert.equal(lines.length, data.images);
  assert.equal(fromTokenFiles.size, data.images);
  for (const line of lines) {
    assert.equal(line.tokens.length, 64); // tiny preset: 8×8 tokens
    assert.deepEqual(fromTokenFiles.get(line.key), line.tokens, `tokens of ${line.key}: reconstruct path = tokenize path`);
  }
  assert.equal(tf.memory().numTensors, baseline);
});

test('examples: feature-dump (two crop stages, custom mean-pool stage) equals the library mean pooling, labels kept', async () => {
  const baseline = tf.memory().numTensors;
  const out = path.join(data.dir, 'features');
  const files = await featureDump(data.shards, data.checkpoint, out);
  assert.equal(files.length, 3);
  const rows = new Map<string, { features: Float32Array; label: number }>();
  for (const file of files) {
    const table = arrow.tableFromIPC(await fs.readFile(file));
    for (let i = 0; i < table.numRows; i++) {
      const features = Float32Array.from(table.getChild('features')!.get(i).toArray() as Float32Array);
      rows.set(table.getChild('key')!.get(i) as string, { features, label: table.getChild('label')!.get(i) as number });
    }
  }
  assert.equal(rows.size, data.images);

  // Reference: the same crops through the library's own pooling (featuresStage pool 'mean').
  const engine = tfjsEngine(await loadCheckpoint(data.checkpoint));
  const reference = await Graph.from(new DatasetSpec({ shards: data.shards }).asSource())
    .pipe(decodeImages())
    .pipe(cropImages({ crop: { protocol: 'center', size: 2 * engine.inputSize } }))
    .pipe(cropImages({ name: 'crop-encoder', crop: { protocol: 'center', size: engine.inputSize } }))
    .pipe(imageBatches({ size: 4 }))
    .pipe(featuresStage(engine, { pool: 'mean' }))
    .to(collectSink<ImageBatchRecord & FeatureOutputs>('collect'))
    .run();
  const width = engine.featureWidth;
  await engine.dispose();
  const keys = [...rows.keys()].sort();
  const labelOf = new Map(keys.map((k) => [k, 0]));
  let compared = 0;
  for (const batch of reference.sinks[0]!.result as (ImageBatchRecord & FeatureOutputs)[]) {
    batch.metas.forEach((meta, b) => {
      const row = rows.get(meta.key)!;
      assert.equal(row.features.length, width);
      for (let j = 0; j < width; j++) assert.ok(Math.abs(row.features[j]! - batch.features[b]![j]!) < 1e-5, `${meta.key}[${j}]`);
      labelOf.set(meta.key, row.label);
      compared += 1;
    });
  }
  assert.equal(compared, data.images);
  // Labels are the `.cls` members written by makeTinyData: photo i (sorted) → i mod 3.
  assert.deepEqual(keys.map((k) => labelOf.get(k)), keys.map((_, i) => i % 3));
  assert.equal(tf.memory().numTensors, baseline);
});

test('examples: tokens-and-psnr refuses an unknown checkpoint name before any work, listing the shipped ones', async () => {
  const out = path.join(data.dir, 'never');
  await assert.rejects(tokensAndPsnr(data.shards, 'no-such-checkpoint', out), (error: unknown) => error instanceof ShippedCheckpointError && error.problem === 'unknown-name' && error.names.includes('small-cpu'));
  await assert.rejects(fs.access(out));
});
