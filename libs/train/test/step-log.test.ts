import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseEvalLog } from '../src/eval-log.js';
import { dropStepsAfter, loggedWallSeconds, readStepLog, StepLogWriter } from '../src/step-log.js';
import { tempDir } from './fixtures.js';

let root = '';
before(async () => {
  root = await tempDir('step-log');
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** A segment of rows `first..last` (wall_s = 2·step + offset), written two rows per record batch. */
async function writeSegment(dir: string, first: number, last: number, offset: number): Promise<string> {
  const writer = new StepLogWriter(dir, first - 1, { run: 'test' }, 2);
  for (let step = first; step <= last; step++) writer.append({ step, wall_s: 2 * step + offset, loss: 1 / step });
  await writer.close();
  return writer.file;
}

test('a segment torn mid-batch reads as its complete batches; the resume cuts the torn end off and reports it', async () => {
  const dir = path.join(root, 'torn');
  const file = await writeSegment(dir, 1, 6, 0);
  const whole = await fs.readFile(file);
  await fs.writeFile(file, whole.subarray(0, whole.byteLength - 30)); // a kill while the batch of steps 5–6 was written
  assert.deepEqual((await readStepLog(dir)).map((row) => row['step']), [1, 2, 3, 4]);
  const dropped = await dropStepsAfter(dir, 4);
  assert.deepEqual(dropped, { rows: 0, torn: [file] });
  // The rewritten segment is a whole stream again: a second pass finds nothing torn.
  assert.deepEqual(await dropStepsAfter(dir, 4), { rows: 0, torn: [] });
  assert.deepEqual((await readStepLog(dir)).map((row) => row['step']), [1, 2, 3, 4]);
});

test('a segment torn inside its schema is removed at the resume; rows after the checkpoint are dropped', async () => {
  const dir = path.join(root, 'schema');
  const kept = await writeSegment(dir, 1, 6, 0);
  const torn = await writeSegment(dir, 7, 8, 0);
  await fs.writeFile(torn, (await fs.readFile(torn)).subarray(0, 20));
  assert.deepEqual(await dropStepsAfter(dir, 3), { rows: 3, torn: [torn] });
  assert.deepEqual(await fs.readdir(dir), [path.basename(kept)]);
  assert.deepEqual((await readStepLog(dir)).map((row) => row['step']), [1, 2, 3]);
});

test('loggedWallSeconds: the last wall_s of each invocation’s segment, summed', async () => {
  const dir = path.join(root, 'wall');
  assert.equal(await loggedWallSeconds(dir), 0, 'no log folder');
  await writeSegment(dir, 1, 4, 0.5); // first invocation: step 4 at 8.5 s
  await writeSegment(dir, 5, 7, 1); // resumed at 4: step 7 at 15 s of its own clock
  assert.equal(await loggedWallSeconds(dir), 8.5 + 15);
});

test('eval.jsonl: a partial last line is a torn tail, not an error; a bad line before it names file and line', () => {
  const rows = '{"step":2,"psnr":10}\n{"step":4,"psnr":11}\n';
  assert.deepEqual(parseEvalLog(rows, 'e.jsonl').entries.map((e) => e.result.step), [2, 4]);
  assert.equal(parseEvalLog(rows, 'e.jsonl').tornTail, null);
  const torn = parseEvalLog(`${rows}{"step":6,"ps`, 'e.jsonl');
  assert.deepEqual(torn.entries.map((e) => e.result.step), [2, 4]);
  assert.equal(torn.tornTail, '{"step":6,"ps');
  assert.throws(() => parseEvalLog(`{"step":2}\n{"st\n{"step":4}\n`, 'run/eval.jsonl'), /run\/eval\.jsonl:2: not an evaluation row/);
  assert.throws(() => parseEvalLog('[1,2]\n', 'e.jsonl'), /e\.jsonl:1: not an evaluation row \(no numeric 'step'\)/);
});
