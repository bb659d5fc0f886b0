import path from 'node:path';
import { Graph, batchStage } from '@vqrae/graph';
import { decodeTokensStage, loadCheckpoint, tfjsEngine, tokenizeStage, type TokenOutputs } from '@vqrae/tokenizer';
import { pngFolderSink } from '@vqrae/data';
import {
  decodedImagesStage,
  encodeTokenTable,
  mergeManifests,
  provenanceMetadata,
  softwareVersions,
  tokenFiles,
  tokenRowBatchStage,
  tokenRowSource,
  tokenRowsOf,
  type SampleBatch,
  type SourceTokenRow,
  type TokenRow,
} from '@vqrae/tokens';
import { demoCheckpoint } from '../demo/demo-checkpoint.js';
import type { DemoStep, DemoStepResult } from '../demo/demo-step.js';
import { demoShards } from '../demo/demo-shards.js';
import { runDumpGraph } from './run-dump-command.js';

/**
 * Demo step `tokens`: with the demo checkpoint (`--checkpoint`, default the shipped `small-cpu`), dumps the tokens of every bundled image
 * (train + held-out shards) exactly as `vqrae dump-tokens` does, then decodes the token files back to PNGs as
 * `vqrae decode` does (on the tfjs engine: the demo's numbers do not depend on whether onnxruntime-node loads).
 */
export const tokensDemoStep: DemoStep = {
  name: 'tokens',
  description: 'dump-tokens over the packed shards with the demo checkpoint, then decode the tokens back to PNGs',
  async run(ctx): Promise<DemoStepResult> {
    const described = demoCheckpoint(ctx.options.checkpoint);
    const checkpoint = described.file;
    const data = (await demoShards(ctx)).all;
    const outDir = ctx.runFolder.path('tokens');
    const model = await loadCheckpoint(checkpoint);
    const preset = model.config.preset ?? 'custom';
    const engine = tfjsEngine(model);
    try {
      const sha = described.sha256;
      const codebookSize = model.config.quantizer.codebookSize;
      const grid = Math.round(Math.sqrt(model.tokensPerImage));
      const protocol = { crop: 'center' as const, size: model.inputSize };
      const provenance = { kind: 'tokens', checkpoint_sha256: sha, preset: model.config.preset ?? 'custom', codebook_size: codebookSize, image_protocol: protocol, versions: softwareVersions() };
      const layout = { gridH: grid, gridW: grid, codebookSize, passThrough: { label: true, caption: true, json: true }, metadata: provenanceMetadata(provenance) };
      const dump = await runDumpGraph<TokenRow, SampleBatch & TokenOutputs>('tokens', {
        kind: 'tokens',
        data,
        outDir,
        rank: { rank: 0, worldSize: 1, source: 'demo' },
        batchSize: 8,
        rowsPerFile: 10000,
        onError: 'throw',
        protocol,
        encodeStage: tokenizeStage<SampleBatch>(engine, { label: preset }),
        rowsOf: tokenRowsOf,
        encodeFile: (rows) => encodeTokenTable(rows, layout),
        fingerprint: { kind: 'tokens', checkpoint_sha256: sha, crop: protocol.crop, data },
        provenance,
        log: ctx.log,
      }, ctx);
      await mergeManifests(outDir, { verify: true });
      const files = await tokenFiles(outDir);
      const decodeGraph = Graph.from(tokenRowSource(files, 'tokens/'))
        .pipe(batchStage<SourceTokenRow>('batch', { size: 8 }))
        .pipe(tokenRowBatchStage({ checkpointSha: sha, allowOtherCheckpoint: false }))
        .pipe(decodeTokensStage(engine, { name: 'decode' }))
        .pipe(decodedImagesStage())
        .to(pngFolderSink(ctx.runFolder.path('decoded')));
      const outcome = await ctx.runGraph('decode', decodeGraph);
      const decoded = (outcome.summary.sinks[0]?.result as { written?: number } | undefined)?.written ?? 0;
      const ok = outcome.exitCode === 0 && dump.written === dump.seen && decoded === dump.written;
      return {
        status: ok ? 'ok' : 'failed',
        line:
          `tokens: ${described.label}: ${dump.written} images → ${dump.written} × ${model.tokensPerImage} tokens (k=${codebookSize}, ${files.length} Arrow file(s), manifest.json) ` +
          `→ decoded back to ${decoded} PNGs in decoded/`,
        files: ['tokens/manifest.json', ...files.map((f) => path.relative(ctx.runFolder.dir, f)), 'decoded/'],
        data: { images: dump.written, tokensPerImage: model.tokensPerImage },
      };
    } finally {
      await engine.dispose();
    }
  },
};
