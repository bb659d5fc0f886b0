/**
 * `npm run bench:dump`: end-to-end images/s of `vqrae dump-tokens` (small-cpu preset: embedded MobileNetV2 encoder,
 * 196 tokens, k = 1024) on ImageNet-like JPEGs, against a PyTorch + PIL script doing the same decode + crop + encode
 * + quantize (tools/bench/torch_dump_tokens.py, 2 threads), in one run; the time split per stage from the graph's own
 * counters; and peak RSS for 500 and 2,000 images (it must stay flat as the input grows).
 * Then the same dump writing all five token formats at once (`--format arrow,parquet,megatron,wds,jsonl`, issue 13):
 * its extra wall time over the arrow-only dump and its write time (encode + write + rename of every format) as a
 * share of the wall time (target ≤ 5 % at 2,000 images).
 *   npm run bench:dump                 # 500 and 2000 images
 *   npm run bench:dump -- --sizes 500  # only 500
 *   npm run bench:dump -- --quick      # 40 images, no PyTorch peer: checks that the bench runs
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';
import { findBenchPython } from './bench-python.js';
import { syntheticShards } from './synthetic-photos.js';

const PER_SHARD = 100;
const BIN = path.join(WORKSPACE_ROOT, 'apps/pipeline/bin/vqrae.mjs');
const sizesArg = process.argv.indexOf('--sizes');
const QUICK = process.argv.includes('--quick');
const SIZES = sizesArg > 0 ? process.argv[sizesArg + 1]!.split(',').map(Number) : QUICK ? [40] : [500, 2000];
const ALL_FORMATS = 'arrow,parquet,megatron,wds,jsonl';
const out = path.join(WORKSPACE_ROOT, 'tmp/bench/dump');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string; seconds: number; peakRssMb: number } {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', cmd, ...args], { cwd: WORKSPACE_ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const rss = Number(/PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { stdout: r.stdout, stderr: r.stderr, seconds, peakRssMb: rss / 1024 };
}

fs.mkdirSync(out, { recursive: true });
const checkpoint = path.join(out, 'small-cpu.safetensors');
if (!fs.existsSync(checkpoint)) run(process.execPath, [BIN, 'init', '--preset', 'small-cpu', '--seed', '0', '--out', checkpoint]);

/** The same dump writing all five formats: extra wall time over arrow only, and write time as a share of the wall. */
function formatsRow(count: number, spec: string, arrowSeconds: number, arrowWriteMs: number): string {
  const dumpDir = path.join(out, `tokens-${count}-all-formats`);
  fs.rmSync(dumpDir, { recursive: true, force: true });
  const all = run(process.execPath, [BIN, 'dump-tokens', '--checkpoint', checkpoint, '--data', spec, '--out', dumpDir, '--batch', '16', '--format', ALL_FORMATS, '--quiet']);
  const summary = JSON.parse(fs.readFileSync(path.join(dumpDir, 'summary.json'), 'utf8')) as { stageBusyMs: Record<string, number> };
  const writeMs = summary.stageBusyMs.write ?? 0;
  const extra = (all.seconds - arrowSeconds) / arrowSeconds;
  return `| ${count} | ${arrowSeconds.toFixed(1)} (write ${(arrowWriteMs / 1000).toFixed(2)}) | ${all.seconds.toFixed(1)} (write ${(writeMs / 1000).toFixed(2)}) | ${(extra * 100).toFixed(1)} % | ${((writeMs / 1000 / all.seconds) * 100).toFixed(1)} % | ${all.peakRssMb.toFixed(0)} |`;
}

const rows: string[] = [];
const formatRows: string[] = [];
for (const count of SIZES) {
  const shards = await syntheticShards(count, PER_SHARD);
  const spec = path.join(path.dirname(shards[0]!), `photos-{000000..${String(shards.length - 1).padStart(6, '0')}}.tar`);
  const dumpDir = path.join(out, `tokens-${count}`);
  fs.rmSync(dumpDir, { recursive: true, force: true });
  const node = run(process.execPath, [BIN, 'dump-tokens', '--checkpoint', checkpoint, '--data', spec, '--out', dumpDir, '--batch', '16', '--quiet']);
  const summary = JSON.parse(fs.readFileSync(path.join(dumpDir, 'summary.json'), 'utf8')) as { written: number; stageBusyMs: Record<string, number> };
  const split = Object.entries(summary.stageBusyMs).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}s`).join(', ');
  const nodeRate = summary.written / node.seconds;
  formatRows.push(formatsRow(count, spec, node.seconds, summary.stageBusyMs.write ?? 0));
  if (QUICK) {
    rows.push(`| ${count} | vqrae dump-tokens (engine auto, tfjs backend ${process.env.VQRAE_BENCH_BACKEND ?? 'auto'}) | ${nodeRate.toFixed(2)} | (--quick: no peer) | ${node.peakRssMb.toFixed(0)} | ${split} |`);
    continue;
  }
  const torch = run(findBenchPython() ?? '/usr/bin/python3', [path.join(WORKSPACE_ROOT, 'tools/bench/torch_dump_tokens.py'), '--threads', '2', '--batch', '16', ...shards], { OMP_WAIT_POLICY: 'PASSIVE' });
  const peer = JSON.parse(torch.stdout.trim().split('\n').pop()!) as { images: number; seconds: number; split_s: Record<string, number> };
  const torchRate = peer.images / torch.seconds;
  const peerSplit = Object.entries(peer.split_s).map(([k, s]) => `${k} ${s.toFixed(1)}s`).join(', ');
  rows.push(
    `| ${count} | vqrae dump-tokens (engine auto, tfjs backend ${process.env.VQRAE_BENCH_BACKEND ?? 'auto'}) | ${nodeRate.toFixed(2)} | ${(nodeRate / torchRate).toFixed(2)}× | ${node.peakRssMb.toFixed(0)} | ${split} |`,
    `| ${count} | PyTorch + PIL (2 threads) | ${torchRate.toFixed(2)} | 1.00× | ${torch.peakRssMb.toFixed(0)} | ${peerSplit} |`,
  );
}
console.log('\n| images | implementation | images/s (wall, incl. start-up) | vs PyTorch | peak RSS MB | time split (busy) |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
console.log(`\n| images | arrow only: wall s (write s) | ${ALL_FORMATS}: wall s (write s) | extra wall | write share of wall (all formats) | peak RSS MB |`);
console.log('|---|---|---|---|---|---|');
for (const row of formatRows) console.log(row);
