import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fromIterable, Graph, mapStage } from '@vqrae/graph';
import { exactlyOnceSink, readManifest, shardRef, ShardCommitter, type ShardCommitJob, type ShardResult } from '../src/index.js';

interface Row { readonly key: string; readonly shard: string }
/** One item = the rows of one model batch (never crossing a shard). */
type Item = readonly Row[];

const shards = ['d/a.tar', 'd/b.tar', 'd/c.tar'].map(shardRef);
const encode = (rows: readonly Row[]): Uint8Array => new TextEncoder().encode(rows.map((r) => r.key).join('\n') + '\n');

function commitJob(outDir: string): ShardCommitJob<Row> {
  return {
    outDir,
    manifestFile: path.join(outDir, 'manifest.json'),
    kind: 'test',
    fingerprint: { checkpoint: 'x' },
    provenance: {},
    rank: 0,
    worldSize: 1,
    shards,
    rowsPerFile: 2,
    fileExtension: '.txt',
    encode,
    onShardError: 'throw',
    log: () => {},
  };
}

/** a: 3 rows; b: every sample skipped upstream (no row reaches the sink); c: 2 rows. */
const items: Item[] = [
  [{ key: 'a0', shard: 'd/a.tar' }, { key: 'a1', shard: 'd/a.tar' }],
  [{ key: 'a2', shard: 'd/a.tar' }],
  [{ key: 'c0', shard: 'd/c.tar' }],
  [{ key: 'c1', shard: 'd/c.tar' }],
];
const results: Record<string, ShardResult> = {
  'd/a.tar': { seen: 3, skipped: 0, skips: [] },
  'd/b.tar': { seen: 2, skipped: 2, skips: [{ key: 'b0', reason: 'decode: bad' }, { key: 'b1', reason: 'decode: bad' }] },
  'd/c.tar': { seen: 2, skipped: 0, skips: [] },
};

async function runOnce(outDir: string, failAt?: string): Promise<void> {
  const committer = await ShardCommitter.open(commitJob(outDir));
  const sink = exactlyOnceSink<Item, Row>({ committer, rowsOf: (item) => item, shardOf: (row) => row.shard, resultOf: (s) => results[s.url]! });
  const pending = new Set(committer.pending().map((s) => s.url));
  const fail = mapStage('fail', (item: Item): Item => {
    if (item.some((r) => r.key === failAt)) throw new Error('boom');
    return item;
  });
  try {
    await Graph.from(fromIterable('items', items.filter((item) => pending.has(item[0]!.shard)))).pipe(fail).to(sink).run();
  } catch (error) {
    await committer.abandon();
    throw error;
  }
  await committer.close();
}

test('exactlyOnceSink: one graph commits each shard at its boundary (a row-less shard too); a run failing in shard c keeps a and b (committed at c\'s first row) and no temporaries; the rerun completes exactly once', async () => {
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vqrae-eo-sink-'));
  try {
    await assert.rejects(runOnce(outDir, 'c1'), /boom/);
    const partial = (await readManifest(path.join(outDir, 'manifest.json')))!;
    assert.deepEqual(partial.inputs.map((i) => [i.shard, i.status, i.written, i.skipped]), [['d/a.tar', 'done', 3, 0], ['d/b.tar', 'done', 0, 2]]);
    assert.deepEqual((await fs.readdir(outDir)).filter((f) => f.includes('.tmp-')), [], 'no temporary part left behind');

    await runOnce(outDir);
    const manifest = (await readManifest(path.join(outDir, 'manifest.json')))!;
    assert.deepEqual(manifest.inputs.map((i) => [i.shard, i.status, i.seen, i.written, i.skipped]), [
      ['d/a.tar', 'done', 3, 3, 0],
      ['d/b.tar', 'done', 2, 0, 2],
      ['d/c.tar', 'done', 2, 2, 0],
    ]);
    assert.deepEqual(manifest.inputs[1]!.skips.map((s) => s.key), ['b0', 'b1']);
    const keys: string[] = [];
    for (const f of manifest.outputs) keys.push(...(await fs.readFile(path.join(outDir, f.file), 'utf8')).trim().split('\n'));
    assert.deepEqual(keys.sort(), ['a0', 'a1', 'a2', 'c0', 'c1'], 'every row exactly once');
    assert.equal(manifest.outputs.filter((o) => o.shard === 'd/a.tar').length, 2, 'a: 3 rows in parts of 2');
  } finally {
    await fs.rm(outDir, { recursive: true, force: true });
  }
});
