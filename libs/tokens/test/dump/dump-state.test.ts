import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DumpState, journalFile, readDumpManifest, type ManifestHeader } from '../../src/index.js';
import type { InputShardRecord } from '../../src/index.js';

/** A temporary folder removed when the test ends. */
async function scratch(t: TestContext, prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const header: ManifestHeader = { kind: 'test', fingerprint: { c: 1 }, rank: 0, worldSize: 1, provenance: {}, assigned: ['a.tar', 'b.tar', 'c.tar'] };
const done = (shard: string): InputShardRecord => ({ shard, status: 'done', seen: 1, written: 1, skipped: 0, skips: [], files: [`${shard}.0000.txt`] });
const output = (shard: string) => ({ file: `${shard}.0000.txt`, shard, rows: 1, bytes: 2, sha256: 'x' });

test('dump journal: records survive a kill before compaction, a torn last line is ignored, a later record wins (issue 14.6)', async (t) => {
  const dir = await scratch(t, 'vqrae-journal-');
  const manifestFile = path.join(dir, 'manifest-rank00000-of-00001.json');
  const state = await DumpState.load(manifestFile);
  await state.compact(header);
  await state.add({ ...done('a.tar'), status: 'failed', written: 0, seen: 0, files: [], error: 'gone' }, [], header, 'write');
  await state.add(done('a.tar'), [output('a.tar')], header, 'fsync');
  await state.add(done('b.tar'), [output('b.tar')], header, 'write');
  await state.close(); // as if killed: no final compaction
  await fs.appendFile(journalFile(manifestFile), '{"input":{"shard":"c.tar","stat'); // torn by the kill

  const onDisk = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { inputs: unknown[] };
  assert.equal(onDisk.inputs.length, 0, 'the manifest itself was not rewritten per shard');
  const merged = (await readDumpManifest(manifestFile))!;
  assert.deepEqual(merged.inputs.map((i) => `${i.shard}:${i.status}`), ['a.tar:done', 'b.tar:done']);
  assert.deepEqual(merged.outputs.map((o) => o.file), ['a.tar.0000.txt', 'b.tar.0000.txt']);

  const resumed = await DumpState.load(manifestFile);
  assert.equal(resumed.record('a.tar')?.status, 'done');
  assert.equal(resumed.record('c.tar'), undefined);
  await resumed.compact(header);
  await assert.rejects(fs.access(journalFile(manifestFile)), 'compaction folds the journal into the manifest and removes it');
  assert.equal((JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { inputs: unknown[] }).inputs.length, 2);

  await fs.writeFile(journalFile(manifestFile), 'not json\n{"input":{"shard":"c.tar"},"outputs":[]}\n');
  await assert.rejects(DumpState.load(manifestFile), /journal manifest-rank00000-of-00001\.json\.journal: line 1 is not valid JSON/);
});
