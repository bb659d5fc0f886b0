import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runExactlyOnce, shardRef, type ExactlyOnceJob, type ShardRef } from '../../src/index.js';
import { readManifest } from '../../src/index.js';

interface Row { key: string; value: number }
const encode = (rows: readonly Row[]) => new TextEncoder().encode(rows.map((r) => `${r.key}=${r.value}`).join('\n') + '\n');
const shards = ['d/a.tar', 'd/b.tar', 'd/c.tar'].map(shardRef);
const samplesPerShard = 5;

function job(outDir: string, overrides: Partial<ExactlyOnceJob<Row>> = {}): ExactlyOnceJob<Row> {
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
    processShard: async (shard: ShardRef, emit) => {
      for (let i = 0; i < samplesPerShard; i++) await emit({ key: `${shard.id}/${i}`, value: i });
      return { seen: samplesPerShard, skipped: 0, skips: [] };
    },
    onShardError: 'throw',
    log: () => {},
    ...overrides,
  };
}

async function allRows(outDir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const name of (await fs.readdir(outDir)).sort()) {
    if (!name.endsWith('.txt')) continue;
    lines.push(...(await fs.readFile(path.join(outDir, name), 'utf8')).trim().split('\n'));
  }
  return lines;
}

test('uninterrupted run writes every sample once, rolls files by rows and lists them in the manifest', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'eo-'));
  const summary = await runExactlyOnce(job(out));
  assert.equal(summary.written, 15);
  assert.equal(summary.seen, summary.written + summary.skipped);
  const manifest = (await readManifest(path.join(out, 'manifest.json')))!;
  assert.equal(manifest.outputs.length, 9); // 3 shards × ceil(5 / 2)
  assert.equal(manifest.outputs.reduce((n, o) => n + o.rows, 0), 15);
  assert.equal((await allRows(out)).length, 15);
});

test('a run that dies mid-shard and is rerun produces every sample exactly once, identical to an uninterrupted run', async () => {
  const reference = await fs.mkdtemp(path.join(os.tmpdir(), 'eo-ref-'));
  await runExactlyOnce(job(reference));
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'eo-kill-'));
  let emitted = 0;
  await assert.rejects(
    runExactlyOnce(
      job(out, {
        processShard: async (shard, emit) => {
          for (let i = 0; i < samplesPerShard; i++) {
            if (++emitted === 8) throw new Error('simulated kill');
            await emit({ key: `${shard.id}/${i}`, value: i });
          }
          return { seen: samplesPerShard, skipped: 0, skips: [] };
        },
      }),
    ),
    /simulated kill/,
  );
  // Simulate the worst crash point too: a part renamed but the manifest not yet updated.
  await fs.writeFile(path.join(out, `${shards[2]!.id}.0000.txt`), 'garbage\n');
  await fs.writeFile(path.join(out, `.${shards[2]!.id}.0001.txt.tmp-999`), 'garbage\n');
  const summary = await runExactlyOnce(job(out));
  assert.equal(summary.shardsResumed, 1);
  assert.deepEqual(await allRows(out), await allRows(reference));
  const files = await fs.readdir(out);
  assert.ok(!files.some((f) => f.includes('.tmp-')), 'no temp files remain');
});

test('resume refuses a folder written with another fingerprint; skip policy records failed shards', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'eo-fp-'));
  await runExactlyOnce(job(out, { shards: shards.slice(0, 1) }));
  await assert.rejects(runExactlyOnce(job(out, { fingerprint: { checkpoint: 'y' } })), /different job \(checkpoint: "x" → "y"\)/);
  const out2 = await fs.mkdtemp(path.join(os.tmpdir(), 'eo-skip-'));
  const summary = await runExactlyOnce(
    job(out2, {
      onShardError: 'skip',
      processShard: async (shard, emit) => {
        if (shard.url === 'd/b.tar') throw new Error('unreadable');
        await emit({ key: shard.id, value: 0 });
        return { seen: 1, skipped: 0, skips: [] };
      },
    }),
  );
  assert.equal(summary.shardsFailed, 1);
  const failed = summary.manifest.inputs.find((i) => i.shard === 'd/b.tar')!;
  assert.equal(failed.status, 'failed');
  assert.match(failed.error!, /unreadable/);
});

test('a resume redoes a shard recorded as done whose output file has gone missing, instead of trusting the record (issue 14.1, same class)', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'eo-missing-'));
  await runExactlyOnce(job(out));
  const reference = await allRows(out);
  await fs.rm(path.join(out, `${shards[1]!.id}.0001.txt`));
  const messages: string[] = [];
  const summary = await runExactlyOnce(job(out, { log: (line) => messages.push(line) }));
  assert.equal(summary.shardsResumed, 2, 'the shard with a missing file is not resumed');
  assert.match(messages.join('\n'), /d\/b\.tar.*missing.*redone/);
  assert.deepEqual(await allRows(out), reference, 'every row is back, exactly once');
});
