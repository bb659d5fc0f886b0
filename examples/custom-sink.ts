// A custom sink: tokens to JSONL, one line per image (`{"key", "shard", "tokens"}`), written atomically at the end,
// run in a run folder as a `vqrae` command runs (config.json, graph.txt, summary.json, Ctrl-C → status 'cancelled').
import path from 'node:path';
import { cropImages, DatasetSpec, decodeImages } from '@vqrae/data';
import { Graph, runGraphInFolder, writeFileAtomic, type Sink } from '@vqrae/graph';
import { setupRuntime } from '@vqrae/nn';
import { imageBatches, loadCheckpoint, tfjsEngine, tokenizeStage, type ImageBatchRecord, type TokenOutputs } from '@vqrae/tokenizer';

/** The sink: keeps one JSON line per image, writes the file once in `finish` (nothing is left behind on failure). */
export function jsonlTokenSink(file: string): Sink<ImageBatchRecord & TokenOutputs, { lines: number }> {
  const lines: string[] = [];
  return {
    name: 'tokens-jsonl',
    describe: () => `tokens-jsonl(${file})`,
    write(batch) {
      const n = batch.tokensPerImage;
      batch.metas.forEach((meta, b) => {
        lines.push(JSON.stringify({ key: meta.key, shard: meta.shard, tokens: [...batch.indices.subarray(b * n, (b + 1) * n)] }));
      });
    },
    async finish() {
      await writeFileAtomic(file, lines.map((line) => `${line}\n`).join(''));
      return { lines: lines.length };
    },
  };
}

export async function tokensToJsonl(shards: string, checkpoint: string, runDir: string): Promise<number> {
  await setupRuntime({ backend: 'wasm' });
  const engine = tfjsEngine(await loadCheckpoint(checkpoint));
  const graph = Graph.from(new DatasetSpec({ shards }).asSource())
    .pipe(decodeImages())
    .pipe(cropImages({ crop: { protocol: 'center', size: engine.inputSize } }))
    .pipe(imageBatches({ size: 8 }))
    .pipe(tokenizeStage(engine))
    .to(jsonlTokenSink(path.join(runDir, 'tokens.jsonl')));
  const run = await runGraphInFolder({ name: 'tokens-jsonl', dir: runDir, config: { shards, checkpoint } }, graph);
  await engine.dispose();
  if (run.status !== 'ok') throw new Error(`tokens-jsonl: ${run.status} (see ${run.dir}/summary.json)`);
  return (run.summary.sinks[0]!.result as { lines: number }).lines;
}

// npx tsx examples/custom-sink.ts 'shards/s-{000..004}.tar' tiny.safetensors runs/tokens-jsonl
if (import.meta.url === `file://${process.argv[1]}`) console.log(await tokensToJsonl(process.argv[2]!, process.argv[3]!, process.argv[4]!));
