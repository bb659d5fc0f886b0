import fs from 'node:fs/promises';
import path from 'node:path';
import { evalCommand } from '../commands/eval.js';
import { demoCheckpoint } from './demo-checkpoint.js';
import { HELD_OUT_PHOTOS } from './options.js';
import type { DemoStep, DemoStepResult } from './demo-step.js';

interface EvalSummaryFile {
  readonly status: string;
  readonly eval?: {
    readonly images: number;
    readonly metrics: Record<string, { mean: number }>;
    readonly frechet?: { label: string; distance: number } | null;
    readonly codebook?: { utilization: number; perplexity: number };
  };
}

/**
 * Demo step `eval`: `vqrae eval` of the demo checkpoint (`--checkpoint`, default the shipped `small-cpu`) on the
 * held-out photographs it never saw in training (`--eval-data`, default assets/photos), called as a function (`evalCommand.invoke`: the same run folder and records as the CLI); its report.html is the demo's report.
 */
export const evalDemoStep: DemoStep = {
  name: 'eval',
  description: 'vqrae eval of the demo checkpoint on held-out photographs: PSNR, SSIM, a named FD, codebook use, report.html',
  async run(ctx): Promise<DemoStepResult> {
    const checkpoint = demoCheckpoint(ctx.options.checkpoint);
    const data = ctx.options.evalData;
    const out = ctx.runFolder.path('eval');
    let code: number;
    try {
      code = await evalCommand.invoke({ checkpoint: checkpoint.file, data, crop: 'center', batch: 16, previews: 12, previewEvery: data === HELD_OUT_PHOTOS ? 10 : 1, ssimExtra: 'none', out, quiet: true, backend: ctx.backend.name, engine: 'tfjs' });
    } catch (error) {
      return { status: 'failed', line: `eval: ${error instanceof Error ? error.message : String(error)}`, files: [] };
    }
    const summary = JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8')) as EvalSummaryFile; // eval's own record
    const e = summary.eval;
    if (code !== 0 || !e) return { status: 'failed', line: `eval: exit ${code} (see ${path.join(out, 'summary.json')})`, files: ['eval/summary.json'] };
    const fd = e.frechet ? `${e.frechet.label} ${e.frechet.distance.toFixed(2)} (n=${e.images}, not comparable with published rFID)` : 'no FD';
    return {
      status: 'ok',
      line:
        `eval: ${checkpoint.label} on ${e.images} ${data === HELD_OUT_PHOTOS ? 'held-out photographs (assets/photos)' : `images (${data})`}, PSNR ${e.metrics.psnr?.mean.toFixed(2)} dB, SSIM[torchmetrics] ${e.metrics.ssim?.mean.toFixed(3)}, ${fd}, ` +
        `codebook utilisation ${((e.codebook?.utilization ?? 0) * 100).toFixed(1)}%, perplexity ${e.codebook?.perplexity.toFixed(1)}`,
      files: ['eval/report.html', 'eval/metrics.arrow', 'eval/summary.json'],
      data: { report: 'eval/report.html', checkpoint: checkpoint.name ?? checkpoint.file, checkpointSha256: checkpoint.sha256, psnr: e.metrics.psnr?.mean ?? null },
    };
  },
};
