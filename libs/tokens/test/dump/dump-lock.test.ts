import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runExactlyOnce, shardRef, type ExactlyOnceJob, type ShardRef } from '../../src/index.js';
import { rankManifestName } from '../../src/index.js';
import { shardsForRank } from '../../src/dump/rank.js';

/** A temporary folder removed when the test ends. */
async function scratch(t: TestContext, prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const ALL = ['x/0.tar', 'x/1.tar', 'x/2.tar', 'x/3.tar'].map(shardRef);
const ROWS_PER_SHARD = 3;

/** A gate: the job's first shard waits on it after writing its first part (a temp file exists meanwhile). */
function gate(): { wait: Promise<void>; open: () => void; reached: Promise<void>; arrive: () => void } {
  let open!: () => void;
  let arrive!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (arrive = r));
  return { wait, open, reached, arrive };
}

function job(outDir: string, rank: number, worldSize: number, hold?: ReturnType<typeof gate>): ExactlyOnceJob<string> {
  let first = true;
  return {
    outDir,
    manifestFile: path.join(outDir, rankManifestName(rank, worldSize)),
    kind: 'test',
    fingerprint: { c: 1 },
    provenance: {},
    rank,
    worldSize,
    shards: shardsForRank(ALL, { rank, worldSize, source: 'test' }),
    rowsPerFile: 1,
    fileExtension: '.txt',
    encode: (rows) => new TextEncoder().encode(rows.join('\n') + '\n'),
    processShard: async (shard: ShardRef, emit) => {
      for (let i = 0; i < ROWS_PER_SHARD; i++) {
        await emit(`${shard.url}#${i}`);
        if (first && hold && i === 1) {
          first = false;
          hold.arrive();
          await hold.wait;
        }
      }
      return { seen: ROWS_PER_SHARD, skipped: 0, skips: [] };
    },
    onShardError: 'throw',
    log: () => {},
  };
}

async function rows(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await fs.readdir(dir)).filter((f) => /^[^.].*\.txt$/.test(f))) {
    out.push(...(await fs.readFile(path.join(dir, name), 'utf8')).trim().split('\n'));
  }
  return out.sort();
}

test('a second dump into a folder a live process is writing is refused and leaves its temp files alone (issue 14.10)', async (t) => {
  const out = await scratch(t, 'vqrae-lock-');
  const hold = gate();
  const first = runExactlyOnce(job(out, 0, 1, hold));
  await hold.reached;
  const temps = (await fs.readdir(out)).filter((f) => f.includes('.tmp-'));
  assert.ok(temps.length > 0, 'the first job has a part under its temporary name');
  await assert.rejects(runExactlyOnce(job(out, 0, 1)), /another live process holds the lock .*manifest-rank00000-of-00001\.json\.lock \(pid \d+ on /);
  assert.deepEqual((await fs.readdir(out)).filter((f) => f.includes('.tmp-')), temps, "the refused job did not touch the first job's temp files");
  hold.open();
  const summary = await first;
  assert.equal(summary.written, ALL.length * ROWS_PER_SHARD);
  assert.deepEqual(await rows(out), ALL.flatMap((s) => [0, 1, 2].map((i) => `${s.url}#${i}`)).sort(), 'every row exactly once');
  assert.ok(!(await fs.readdir(out)).some((f) => f.endsWith('.lock')), 'the lock is released');
});

test("ranks of one world size share a folder concurrently without deleting each other's temp files; another world size is refused (issue 14.10)", async (t) => {
  const out = await scratch(t, 'vqrae-lock-ranks-');
  const hold = gate();
  const rank0 = runExactlyOnce(job(out, 0, 2, hold));
  await hold.reached;
  const rank1 = await runExactlyOnce(job(out, 1, 2));
  assert.equal(rank1.written, 2 * ROWS_PER_SHARD);
  await assert.rejects(runExactlyOnce(job(out, 0, 1)), /rank 0 of a 2-rank job is writing there now/);
  hold.open();
  assert.equal((await rank0).written, 2 * ROWS_PER_SHARD, 'rank 0 finished although rank 1 started and finished meanwhile');
  assert.equal((await rows(out)).length, ALL.length * ROWS_PER_SHARD);
});

test('a stale lock (holder killed with SIGKILL, or its pid reused, or a silent foreign host) does not block a resume (issue 14.10)', async (t) => {
  const out = await scratch(t, 'vqrae-lock-stale-');
  const lockFile = path.join(out, `${rankManifestName(0, 1)}.lock`);
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  const start = (await fs.readFile(`/proc/${child.pid}/stat`, 'utf8').catch(() => ''))
    .split(') ')
    .pop()!
    .split(' ')[19];
  const owner = { pid: child.pid, hostname: os.hostname(), processStart: start ?? null, startedAt: new Date().toISOString(), purpose: 'test dump' };
  await fs.writeFile(lockFile, JSON.stringify(owner));
  await assert.rejects(runExactlyOnce(job(out, 0, 1)), /another live process holds the lock/, 'a live holder blocks');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.equal((await runExactlyOnce(job(out, 0, 1))).written, ALL.length * ROWS_PER_SHARD, 'a killed holder does not block');

  const reused = await scratch(t, 'vqrae-lock-reused-');
  await fs.writeFile(path.join(reused, `${rankManifestName(0, 1)}.lock`), JSON.stringify({ ...owner, pid: process.pid, processStart: '1' }));
  assert.equal((await runExactlyOnce(job(reused, 0, 1))).written, ALL.length * ROWS_PER_SHARD, 'a reused pid (other start time) does not block');

  const foreign = await scratch(t, 'vqrae-lock-foreign-');
  const foreignLock = path.join(foreign, `${rankManifestName(0, 1)}.lock`);
  await fs.writeFile(foreignLock, JSON.stringify({ ...owner, hostname: `not-${os.hostname()}` }));
  await assert.rejects(runExactlyOnce(job(foreign, 0, 1)), /on not-/, 'a foreign holder with a fresh heartbeat blocks');
  const old = new Date(Date.now() - 10 * 60_000);
  await fs.utimes(foreignLock, old, old);
  assert.equal((await runExactlyOnce(job(foreign, 0, 1))).written, ALL.length * ROWS_PER_SHARD, 'a foreign holder whose heartbeat stopped does not block');
});
