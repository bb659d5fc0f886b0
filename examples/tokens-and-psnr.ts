// Shards → decode → crop → batch → tokenize + decode → fan-out to a token file and a PSNR sink. No tensor code.
import { cropImages, DatasetSpec, decodeImages } from '@vqrae/data';
import { psnrSink, type PsnrSummary } from '@vqrae/eval';
import { Graph } from '@vqrae/graph';
import { setupRuntime } from '@vqrae/nn';
import { imageBatches, loadCheckpoint, reconstructStage, resolveCheckpoint, tfjsEngine } from '@vqrae/tokenizer';
import { tokenFileSink } from '@vqrae/tokens';

/** `checkpoint`: a .safetensors path or a shipped name such as `small-cpu`. */
export async function tokensAndPsnr(shards: string, checkpoint: string, outDir: string): Promise<PsnrSummary> {
  await setupRuntime({ backend: 'wasm' });
  const engine = tfjsEngine(await loadCheckpoint(resolveCheckpoint(checkpoint)));
  const run = await Graph.from(new DatasetSpec({ shards }).asSource())
    .pipe(decodeImages())
    .pipe(cropImages({ crop: { protocol: 'center', size: engine.inputSize } }))
    .pipe(imageBatches({ size: 8 }))
    .pipe(reconstructStage(engine))
    .to(tokenFileSink({ outDir, codebookSize: engine.codebookSize }), psnrSink({ path: `${outDir}/psnr.json` }))
    .run();
  await engine.dispose();
  return run.sinks.find((s) => s.name === 'psnr')!.result as PsnrSummary;
}

// npx tsx examples/tokens-and-psnr.ts 'shards/s-{000..004}.tar' small-cpu out/
if (import.meta.url === `file://${process.argv[1]}`) console.log(await tokensAndPsnr(process.argv[2]!, process.argv[3]!, process.argv[4]!));
