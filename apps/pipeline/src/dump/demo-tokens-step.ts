import fs from 'node:fs/promises';
import path from 'node:path';
import { readTokenFile, tokenFiles } from '@vqrae/tokens';
import { EXIT } from '@vqrae/graph';
import { decodeCommand } from '../commands/decode.js';
import { dumpTokensCommand } from '../commands/dump-tokens.js';
import { demoCheckpoint } from '../demo/demo-checkpoint.js';
import type { DemoStep, DemoStepResult } from '../demo/demo-step.js';
import { demoShards } from '../demo/demo-shards.js';

/** The fields of dump-tokens' summary.json this step reads. */
interface DumpSummaryFile {
  readonly seen?: number;
  readonly written?: number;
}

/** A JSON record a command wrote, or `{}` if it wrote none (a cancelled run). */
async function readJsonIfAny(file: string): Promise<unknown> {
  return fs.readFile(file, 'utf8').then((text) => JSON.parse(text) as unknown, () => ({}));
}

/**
 * Demo step `tokens`: with the demo checkpoint (`--checkpoint`, default the shipped `small-cpu`), `vqrae dump-tokens`
 * of every bundled image (train + held-out shards) into tokens/, then `vqrae decode` of those token files back to PNGs
 * in decoded/images/, both called as functions (`invoke`: the same run folders and records as the CLI) on the tfjs
 * engine (the demo's numbers do not depend on whether onnxruntime-node loads).
 */
export const tokensDemoStep: DemoStep = {
  name: 'tokens',
  description: 'dump-tokens over the packed shards with the demo checkpoint, then decode the tokens back to PNGs',
  async run(ctx): Promise<DemoStepResult> {
    const described = demoCheckpoint(ctx.options.checkpoint);
    const checkpoint = described.file;
    const data = (await demoShards(ctx)).all;
    const tokensDir = ctx.runFolder.path('tokens');
    const decodedDir = ctx.runFolder.path('decoded');
    const common = { checkpoint, batch: 8, quiet: ctx.options.quiet, backend: ctx.backend.name, engine: 'tfjs' } as const;
    const dumpCode = await dumpTokensCommand.invoke({ ...common, data, out: tokensDir, onError: 'throw' });
    const dump = (await readJsonIfAny(path.join(tokensDir, 'summary.json'))) as DumpSummaryFile; // dump-tokens' own record
    const files = await tokenFiles(tokensDir);
    const decodeCode = dumpCode === 0 ? await decodeCommand.invoke({ ...common, tokens: tokensDir, out: decodedDir }) : 1;
    const decoded = decodeCode === 0 ? (await fs.readdir(path.join(decodedDir, 'images'))).filter((f) => f.endsWith('.png')).length : 0;
    const first = files.length > 0 ? (await readTokenFile(files[0]!)).sequences[0] : undefined;
    const tokensPerImage = first?.ids.length ?? 0;
    const written = dump.written ?? 0;
    const ok = dumpCode === 0 && decodeCode === 0 && written === dump.seen && decoded === written;
    const manifest = (await readJsonIfAny(path.join(tokensDir, 'manifest.json'))) as { provenance?: { codebook_size?: number } };
    return {
      status: ok ? 'ok' : dumpCode === EXIT.interrupted || decodeCode === EXIT.interrupted ? 'cancelled' : 'failed',
      line:
        `tokens: ${described.label}: ${written} images → ${written} × ${tokensPerImage} tokens (k=${manifest.provenance?.codebook_size}, ${files.length} Arrow file(s), manifest.json) ` +
        `→ decoded back to ${decoded} PNGs in decoded/images/`,
      files: ['tokens/manifest.json', ...files.map((f) => path.relative(ctx.runFolder.dir, f)), 'decoded/images/'],
      data: { images: written, tokensPerImage },
    };
  },
};
