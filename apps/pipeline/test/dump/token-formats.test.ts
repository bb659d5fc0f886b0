import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TOKEN_FORMATS } from '@vqrae/tokens';
import { runExactlyOnce, shardRef, type ExactlyOnceJob } from '@vqrae/tokens';
import { readManifest } from '@vqrae/tokens';
import { mergeManifests } from '@vqrae/tokens';
import { encodeTokenTable, inspectTokenFile, readTokenRows, rowSequence, tokenFiles, tokenPartEncoder, type TokenRow, type TokenTableLayout } from '@vqrae/tokens';
import { tokenFormatsOption } from '../../src/dump/sequence-options.js';

const layout: TokenTableLayout = {
  gridH: 2,
  gridW: 2,
  codebookSize: 512,
  passThrough: { label: true, caption: true, json: true },
  metadata: new Map([['vqrae.kind', '"tokens"']]),
};
const config = { vocabSize: 512, codebookSize: 512, grid: [2, 2] as const, side: { cls: true, txt: true, json: true }, withAug: false, withCodes: false, metadata: layout.metadata };

function rows(shard: string, n: number): TokenRow[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `${path.basename(shard, '.tar')}-${i}`,
    shard,
    tokens: Int32Array.from([i, 511 - i, (i * 37) % 512, 7]),
    ...(i % 2 === 0 ? { label: i, caption: `c${i}` } : { json: '{"a":1}' }),
  }));
}

test('the library arrow writer gives the historical token table byte for byte (default --format arrow unchanged)', async () => {
  const sample = rows('s/a.tar', 5);
  const [file] = await tokenPartEncoder<TokenRow>(['arrow'], config, (r) => r.map((x) => rowSequence(x, [2, 2])))(sample);
  assert.equal(file!.extension, '.arrow');
  assert.deepEqual(file!.bytes, encodeTokenTable(sample, layout));
});

test('--format parsing: comma list, unknown and repeated names are usage errors naming them', () => {
  assert.deepEqual(tokenFormatsOption('parquet, megatron'), ['parquet', 'megatron']);
  assert.throws(() => tokenFormatsOption('parquet,hdf5'), /unknown format 'hdf5'.*arrow, parquet, megatron, wds, jsonl/);
  assert.throws(() => tokenFormatsOption('jsonl,jsonl'), /'jsonl' is listed twice/);
});

test('exactly-once with every format: all files of a shard committed together, each in the manifest; decode reads each format back', async () => {
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'token-formats-'));
  try {
    const shards = ['d/a.tar', 'd/b.tar'].map(shardRef);
    const job: ExactlyOnceJob<TokenRow> = {
      outDir,
      manifestFile: path.join(outDir, 'manifest-rank00000-of-00001.json'),
      kind: 'tokens',
      fingerprint: { formats: TOKEN_FORMATS.join(',') },
      provenance: {},
      rank: 0,
      worldSize: 1,
      shards,
      rowsPerFile: 2,
      fileExtension: '.arrow',
      encode: tokenPartEncoder<TokenRow>(TOKEN_FORMATS, config, (r) => r.map((x) => rowSequence(x, [2, 2]))),
      processShard: async (shard, emit) => {
        for (const row of rows(shard.url, 3)) await emit(row);
        return { seen: 3, skipped: 0, skips: [] };
      },
      onShardError: 'throw',
      log: () => {},
    };
    const summary = await runExactlyOnce(job);
    assert.equal(summary.written, 6, 'rows counted once per part, not once per file');
    const manifest = (await readManifest(job.manifestFile))!;
    // 2 shards × 2 parts × 9 files (.arrow .parquet .bin .idx .megatron.meta.json .tar .wds.meta.json .jsonl .jsonl.meta.json)
    assert.equal(manifest.outputs.length, 36);
    for (const input of manifest.inputs) assert.equal(input.files.length, 18);
    const expected = [...rows('d/a.tar', 3), ...rows('d/b.tar', 3)];
    for (const format of TOKEN_FORMATS) {
      const files = (await tokenFiles(outDir)).length; // folder → arrow first
      assert.equal(files, 4);
      const ext = { arrow: '.arrow', parquet: '.parquet', megatron: '.idx', wds: '.tar', jsonl: '.jsonl' }[format];
      const names = (await fs.readdir(outDir)).filter((f) => f.endsWith(ext)).sort();
      const read = (await Promise.all(names.map((n) => readTokenRows(path.join(outDir, n))))).flatMap((t) => t.rows);
      assert.deepEqual(read.map((r) => [r.key, r.shard, Array.from(r.tokens), r.label, r.caption, r.json]), expected.map((r) => [r.key, r.shard, Array.from(r.tokens), r.label, r.caption, r.json]), format);
    }
    assert.deepEqual((await mergeManifests(outDir, { verify: true })).problems, []);
    // inspect: every non-Arrow format (Megatron by its bare prefix) shows rows, provenance and the first row.
    const base = path.join(outDir, manifest.outputs[0]!.file.replace(/\.arrow$/, ''));
    for (const [file, format] of [[`${base}.parquet`, 'parquet'], [base, 'megatron'], [`${base}.tar`, 'wds'], [`${base}.jsonl`, 'jsonl']] as const) {
      const shown = await inspectTokenFile(file, 1);
      assert.equal(shown.format, format);
      assert.equal(shown.rows, 2);
      assert.equal(shown.metadata['vqrae.kind'], '"tokens"', `${format}: provenance`);
      assert.deepEqual(shown.preview[0], { key: 'a-0', shard: 'd/a.tar', aug: 'none', tokens: '[0, 511, 0, 7]', grid: '2x2', cls: 0, txt: 'c0' }, format);
    }
    // A part that lost one file of one format (its record and the file): merge-manifests names shard, part and file.
    const idx = manifest.outputs.find((o) => o.file.endsWith('.idx'))!;
    const edited = { ...manifest, outputs: manifest.outputs.filter((o) => o !== idx), inputs: manifest.inputs.map((i) => ({ ...i, files: i.files.filter((f) => f !== idx.file) })) };
    await fs.writeFile(job.manifestFile, JSON.stringify(edited));
    await fs.rm(path.join(outDir, idx.file));
    const { problems } = await mergeManifests(outDir, { verify: true });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, new RegExp(`shard ${idx.shard}: part .*0000\\.… has no \\.idx file \\(format megatron\\)`));
  } finally {
    await fs.rm(outDir, { recursive: true, force: true });
  }
});
