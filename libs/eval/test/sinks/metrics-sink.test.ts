import { tableFromIPC, RecordBatchReader } from 'apache-arrow';
import pl from 'nodejs-polars';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createStageContext } from '@vqrae/graph';
import { arrowMetricsSink } from '../../src/sinks/metrics-sink.js';
import type { MetricRow } from '../../src/sinks/metric-columns.js';
import { makeProvenance, packageVersions, provenanceFromMetadata } from '../../src/sinks/provenance.js';
import { summaryValuesFromColumns, writeSummaryArrow } from '../../src/sinks/summary-file.js';

const testContext = () => createStageContext({ name: 'metrics-arrow' });

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eval-sinks-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const provenance = makeProvenance({
  tool: 'vqrae eval',
  command: ['vqrae', 'eval', '--checkpoint', 'ck.safetensors', '--data', 'val-{000..009}.tar'],
  config: { preset: 'tiny', ssim: { variant: 'torchmetrics', border: 'full' } },
  checkpointSha256: 'c0ffee'.repeat(10) + 'abcd',
});
const columns = [
  { name: 'psnr', unit: 'dB', label: 'mean of per-image PSNR on uint8-rounded images' },
  { name: 'ssim', unit: '1', label: 'torchmetrics gaussian 11x11, data_range 1, border full' },
  { name: 'ssim_skimage', unit: '1' },
];
const row = (i: number): MetricRow => ({
  meta: { key: `img${String(i).padStart(6, '0')}`, shard: `val-${String(Math.floor(i / 1000)).padStart(3, '0')}.tar`, index: i % 1000 },
  values: { psnr: 20 + (i % 7), ssim: i === 3 ? null : 0.5 + i / 10000, ssim_skimage: 0.25 },
});

test('per-image sink writes batched Arrow IPC readable by apache-arrow and nodejs-polars, with provenance', async () => {
  const file = path.join(dir, 'metrics.arrow');
  const sink = arrowMetricsSink({ path: file, columns, provenance, batchRows: 1000, metadata: { 'vqrae.fid_label': 'rFID[torch-fidelity]' } });
  const ctx = testContext();
  for (let i = 0; i < 2000; i++) await sink.write(row(i), ctx);
  await sink.write([row(2000), row(2001), row(2002)], ctx); // a batch's rows at once
  assert.equal(existsSync(file), false, 'final file must not exist before finish');
  const result = await sink.finish!(ctx);
  assert.equal(result.rows, 2003);
  assert.equal(result.summary.ssim!.count, 2002, 'null values are not averaged');
  assert.ok(Math.abs(result.summary.psnr!.mean - Array.from({ length: 2003 }, (_, i) => 20 + (i % 7)).reduce((a, b) => a + b) / 2003) < 1e-12);
  assert.deepEqual((await readdir(dir)).filter((n) => n.includes('.tmp-')), []);

  const bytes = await readFile(file);
  const reader = RecordBatchReader.from(bytes);
  const batches = [...reader];
  assert.deepEqual(batches.map((b) => b.numRows), [1000, 1000, 3]);
  const table = tableFromIPC(bytes);
  assert.deepEqual(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`), ['key:Utf8', 'shard:Utf8', 'index:Int32', 'psnr:Float64', 'ssim:Float64', 'ssim_skimage:Float64']);
  assert.equal(table.schema.fields[3]!.metadata.get('unit'), 'dB');
  assert.equal(table.schema.metadata.get('vqrae.fid_label'), 'rFID[torch-fidelity]');
  const back = provenanceFromMetadata(table.schema.metadata);
  assert.deepEqual(back, JSON.parse(JSON.stringify(provenance)));
  assert.equal(table.schema.metadata.get('vqrae.checkpoint_sha256'), provenance.checkpointSha256);

  // Second implementation (Rust arrow2/polars) reads the same bytes.
  const df = pl.readIPC(bytes);
  assert.equal(df.height, 2003);
  assert.deepEqual(df.columns, ['key', 'shard', 'index', 'psnr', 'ssim', 'ssim_skimage']);
  assert.match(String(df.getColumn('key').dtype), /String|Utf8/);
  assert.equal(df.getColumn('key').get(1234), 'img001234');
  assert.equal(df.getColumn('shard').get(1234), 'val-001.tar');
  assert.equal(df.getColumn('index').get(1234), 234);
  assert.equal(df.getColumn('ssim').get(3), null);
  assert.equal(df.getColumn('ssim').nullCount(), 1);
  assert.ok(Math.abs((df.getColumn('psnr').mean() as number) - result.summary.psnr!.mean) < 1e-9);
});

test('abort removes the temporary file and never creates the final one', async () => {
  const file = path.join(dir, 'aborted.arrow');
  const sink = arrowMetricsSink({ path: file, columns, provenance, batchRows: 2 });
  const ctx = testContext();
  for (let i = 0; i < 5; i++) await sink.write(row(i), ctx);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the temporary file is opened asynchronously
  assert.ok((await readdir(dir)).some((n) => n.startsWith('aborted.arrow.tmp-')), 'temporary file exists while writing');
  await sink.abort!(new Error('cancelled'), ctx);
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('aborted.arrow')), []);
});

test('rows with undeclared columns fail naming the sample; an empty run still writes a valid file', async () => {
  const sink = arrowMetricsSink({ path: path.join(dir, 'bad.arrow'), columns, provenance, batchRows: 1 });
  const ctx = testContext();
  await assert.rejects(async () => sink.write({ meta: { key: 'k9', shard: 's.tar', index: 9 }, values: { lpips: 0.1 } }, ctx), /key k9, shard s\.tar.*unknown column 'lpips'/);
  await sink.abort!(new Error('x'), ctx);
  const emptyPath = path.join(dir, 'empty.arrow');
  const empty = arrowMetricsSink({ path: emptyPath, columns, provenance });
  assert.equal((await empty.finish!(ctx)).rows, 0);
  const df = pl.readIPC(await readFile(emptyPath));
  assert.equal(df.height, 0);
  assert.deepEqual(df.columns, ['key', 'shard', 'index', 'psnr', 'ssim', 'ssim_skimage']);
  assert.throws(() => arrowMetricsSink({ path: 'x', columns: [{ name: 'key' }], provenance }), /reserved column name 'key'/);
});

test('a missing output folder fails at finish with the path in the message, leaving no files', async () => {
  const sink = arrowMetricsSink({ path: path.join(dir, 'no-such-dir', 'm.arrow'), columns, provenance });
  await sink.write(row(1), testContext());
  await assert.rejects(async () => sink.finish!(testContext()), /cannot write '.*no-such-dir\/m\.arrow': ENOENT/);
});

test('one-row summary file with units and provenance; package versions are recorded', async () => {
  const file = path.join(dir, 'summary.arrow');
  await writeSummaryArrow(file, 'run-001', [
    { name: 'psnr_mean', value: 22.23, unit: 'dB' },
    { name: 'rFID[torch-fidelity]', value: 1.31, label: 'FID-Inception-v3, torch-fidelity input, n=50000' },
  ], provenance);
  const bytes = await readFile(file);
  const df = pl.readIPC(bytes);
  assert.equal(df.height, 1);
  assert.equal(df.getColumn('run').get(0), 'run-001');
  assert.equal(df.getColumn('rFID[torch-fidelity]').get(0), 1.31);
  const table = tableFromIPC(bytes);
  assert.equal(table.schema.fields[1]!.metadata.get('unit'), 'dB');
  assert.equal(provenanceFromMetadata(table.schema.metadata).tool, 'vqrae eval');
  const versions = packageVersions(['apache-arrow', 'no-such-package-xyz']);
  assert.equal(versions['apache-arrow'], '21.2.0');
  assert.equal(versions['no-such-package-xyz'], 'unknown');
  assert.match(versions.node!, /^v\d+/);
});

test('summaryValuesFromColumns turns a sink result into summary values', () => {
  const values = summaryValuesFromColumns(columns, { psnr: { count: 3, mean: 21 }, ssim: { count: 2, mean: 0.5 }, ssim_skimage: { count: 3, mean: 0.25 } }, 3);
  assert.deepEqual(values.map((v) => [v.name, v.value, v.unit]), [['n_images', 3, 'images'], ['psnr_mean', 21, 'dB'], ['ssim_mean', 0.5, '1'], ['ssim_skimage_mean', 0.25, '1']]);
  assert.match(values[2]!.label!, /mean over 2 images; torchmetrics/);
});
