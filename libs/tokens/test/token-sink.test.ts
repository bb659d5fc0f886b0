import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Graph, type Source } from '@vqrae/graph';
import { readTokenFile, tokenFormatSink, type TokenSequence } from '../src/index.js';

function sequences(): TokenSequence[] {
  return ['a', 'a', 'b'].map((shard, i) => ({ key: `k${i}`, shard: `data/${shard}.tar`, aug: 'none', ids: Int32Array.from([i, i + 1, i + 2, i + 3]), grid: [2, 2], side: { txt: `t${i}` } }));
}

test('tokenFormatSink in a user graph writes one unit of files per shard in every format, each reading back the same ids', async () => {
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'token-sink-'));
  try {
    const source: Source<TokenSequence> = {
      name: 'sequences',
      describe: () => 'sequences',
      open: async function* () {
        yield* sequences();
      },
    };
    const sink = tokenFormatSink({
      formats: ['parquet', 'megatron', 'jsonl'],
      outDir,
      config: { vocabSize: 16, codebookSize: 16, grid: [2, 2], side: { cls: false, txt: true, json: false }, withAug: false, withCodes: false, metadata: new Map([['vqrae.kind', '"tokens"']]) },
    });
    const summary = await Graph.from(source).to(sink).run();
    const { files } = summary.sinks[0]!.result as { files: string[] };
    assert.deepEqual(files.map((f) => path.basename(f)), [
      'a-00000.parquet', 'a-00000.bin', 'a-00000.idx', 'a-00000.megatron.meta.json', 'a-00000.jsonl', 'a-00000.jsonl.meta.json',
      'b-00001.parquet', 'b-00001.bin', 'b-00001.idx', 'b-00001.megatron.meta.json', 'b-00001.jsonl', 'b-00001.jsonl.meta.json',
    ]);
    for (const file of ['a-00000.parquet', 'a-00000.idx', 'a-00000.jsonl', 'b-00001.parquet', 'b-00001.idx', 'b-00001.jsonl']) {
      const read = await readTokenFile(path.join(outDir, file));
      const expected = sequences().filter((s) => s.shard === `data/${file[0]}.tar`);
      assert.deepEqual(read.sequences.map((s) => [s.key, s.shard, Array.from(s.ids), s.side.txt]), expected.map((s) => [s.key, s.shard, Array.from(s.ids), s.side.txt]), file);
    }
    assert.deepEqual((await fs.readdir(outDir)).filter((f) => f.includes('.tmp')), [], 'no temporaries left');
  } finally {
    await fs.rm(outDir, { recursive: true, force: true });
  }
});
