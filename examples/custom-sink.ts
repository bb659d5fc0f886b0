// A custom sink: tokens to JSONL, one line per image (`{"key", "shard", "tokens"}`), written atomically at the end.
import { cropImages, DatasetSpec, decodeImages } from '@vqrae/data';
import { Graph, writeFileAtomic, type Sink } from '@vqrae/graph';
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

export async function tokensToJsonl(shards: string, checkpoint: string, file: string): Promise<number> {
  await setupRuntime({ backend: 'wasm' });
  const engine = tfjsEngine(await loadCheckpoint(checkpoint));
  const run = await Graph.from(new DatasetSpec({ shards }).asSource())
    .pipe(decodeImages())
    .pipe(cropImages({ crop: { protocol: 'center', size: engine.inputSize } }))
    .pipe(imageBatches({ size: 8 }))
    .pipe(tokenizeStage(engine))
    .to(jsonlTokenSink(file))
    .run();
  await engine.dispose();
  return (run.sinks[0]!.result as { lines: number }).lines;
}

// npx tsx examples/custom-sink.ts 'shards/s-{000..004}.tar' tiny.safetensors tokens.jsonl
if (import.meta.url === `file://${process.argv[1]}`) console.log(await tokensToJsonl(process.argv[2]!, process.argv[3]!, process.argv[4]!));
