import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { readNpzArrays } from '@vqrae/eval';
import { readJson, runCli } from '../cli/helpers.js';
import { evalFixture, type EvalFixture } from './fixtures.js';

interface EvalJson {
  readonly images: number;
  readonly metrics: Record<string, { mean: number; count: number }>;
  readonly frechet: { label: string; distance: number; nReconstructions: number; nReference: number };
  readonly codebook: { tokens: number; usedCodes: number; perplexity: number };
}

let fx: EvalFixture;
before(async () => {
  fx = await evalFixture('ranks');
});
after(async () => {
  await fx.cleanup();
});

const common = (): string[] => ['eval', '--checkpoint', fx.checkpoint, '--data', fx.data, '--batch', '2', '--fd-network', 'encoder', '--previews', '2', '--quiet'];
const rows = (t: Table): unknown[] => t.toArray().map((r) => JSON.stringify(r));

test('2 ranks merged by merge-eval equal a single process: FD to 1e-9 relative, PSNR/SSIM means, code counts, rows', async () => {
  const single = path.join(fx.dir, 'single');
  const job = path.join(fx.dir, 'job');
  const one = await runCli([...common(), '--out', single]);
  assert.equal(one.code, 0, one.stderr + one.stdout);
  for (const rank of [1, 0]) {
    const r = await runCli([...common(), '--rank', String(rank), '--world-size', '2', '--out', path.join(job, `rank-${rank}`)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`partial results of rank ${rank} of 2`));
    assert.ok(!fs.existsSync(path.join(job, `rank-${rank}`, 'report.html')), 'a rank writes no final report');
  }
  // A rank folder reused by another rank is refused (each rank needs its own --out).
  const clash = await runCli([...common(), '--rank', '1', '--world-size', '2', '--out', path.join(job, 'rank-0')]);
  assert.notEqual(clash.code, 0);

  const merged = path.join(job, 'merged');
  const lines: string[] = [];
  const { mergeEval } = await import('../../src/commands/merge-eval.js');
  assert.equal(await mergeEval([job], merged, 4, (l) => lines.push(l)), 0);
  const a = (readJson(path.join(single, 'summary.json')) as { eval: EvalJson }).eval;
  const b = readJson(path.join(merged, 'summary.json')) as unknown as EvalJson;
  assert.equal(b.images, a.images);
  assert.equal(b.frechet.label, a.frechet.label);
  assert.equal(b.frechet.nReconstructions, 10);
  const rel = Math.abs(b.frechet.distance - a.frechet.distance) / Math.abs(a.frechet.distance);
  assert.ok(rel <= 1e-9, `merged ${b.frechet.distance} vs single ${a.frechet.distance}: relative ${rel}`);
  for (const column of Object.keys(a.metrics)) {
    assert.ok(Math.abs(b.metrics[column]!.mean - a.metrics[column]!.mean) <= 1e-12 * Math.abs(a.metrics[column]!.mean), `${column} mean`);
  }
  assert.deepEqual(b.codebook, a.codebook);
  const counts = async (dir: string) => (await readNpzArrays(path.join(dir, 'codebook-usage.npz'), ['counts'])).get('counts')!.data;
  assert.deepEqual(await counts(merged), await counts(single));
  assert.deepEqual(rows(tableFromIPC(fs.readFileSync(path.join(merged, 'metrics.arrow')))), rows(tableFromIPC(fs.readFileSync(path.join(single, 'metrics.arrow')))));
  assert.ok(fs.existsSync(path.join(merged, 'report.html')) && fs.existsSync(path.join(merged, 'reconstruction-stats.npz')));
  assert.match(lines.join('\n'), /2 ranks merged/);

  // Incomplete jobs are refused.
  const problems: string[] = [];
  assert.equal(await mergeEval([path.join(job, 'rank-0')], path.join(fx.dir, 'bad'), 0, () => undefined, (l) => problems.push(l)), 1);
  assert.match(problems.join('\n'), /rank 1 of 2 is missing/);

  // --reference-stats: scoring against the single run's reference statistics gives its distance again.
  const refRun = path.join(fx.dir, 'refstats');
  const r = await runCli([...common(), '--reference-stats', path.join(single, 'reference-stats.npz'), '--out', refRun]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const c = (readJson(path.join(refRun, 'summary.json')) as { eval: EvalJson }).eval;
  assert.ok(Math.abs(c.frechet.distance - a.frechet.distance) <= 1e-9 * a.frechet.distance, `${c.frechet.distance} vs ${a.frechet.distance}`);
  assert.ok(!fs.existsSync(path.join(refRun, 'reference-moments.npz')), 'no reference statistics accumulated');
});
