// A feature dump for a linear probe: encoder features Z_I, mean-pooled over tokens by a custom stage, one row per
// image with its `.cls` label, one Arrow file per shard. Two crop stages in one graph (each with its own name).
import { cropImages, DatasetSpec, decodeImages } from '@vqrae/data';
import { Graph, mapStage, type Stage } from '@vqrae/graph';
import { setupRuntime } from '@vqrae/nn';
import { featuresStage, imageBatches, loadCheckpoint, tfjsEngine, type FeatureOutputs } from '@vqrae/tokenizer';
import { featureFileSink } from '@vqrae/tokens';

/** Custom stage: per-token features `[N·d]` → their mean `[d]` (plain arithmetic on host arrays). */
export function meanPool<B extends FeatureOutputs>(): Stage<B, B> {
  return mapStage('mean-pool', (batch: B): B => {
    const { featureTokens: n, featureWidth: d } = batch;
    const pooled = batch.features.map((rows) => {
      const mean = new Float32Array(d);
      for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) mean[j]! += rows[t * d + j]! / n;
      return mean;
    });
    return { ...batch, features: pooled, featureTokens: 1 };
  });
}

export async function featureDump(shards: string, checkpoint: string, outDir: string): Promise<string[]> {
  await setupRuntime({ backend: 'wasm' });
  const engine = tfjsEngine(await loadCheckpoint(checkpoint));
  const run = await Graph.from(new DatasetSpec({ shards }).asSource())
    .pipe(decodeImages())
    .pipe(cropImages({ crop: { protocol: 'center', size: 2 * engine.inputSize } }))
    .pipe(cropImages({ name: 'crop-encoder', crop: { protocol: 'center', size: engine.inputSize } }))
    .pipe(imageBatches({ size: 8 }))
    .pipe(featuresStage(engine))
    .pipe(meanPool())
    .to(featureFileSink({ outDir, passThrough: { label: true, caption: false, json: false } }))
    .run();
  await engine.dispose();
  return (run.sinks[0]!.result as { files: string[] }).files;
}

// npx tsx examples/feature-dump.ts 'shards/s-{000..004}.tar' tiny.safetensors out/
if (import.meta.url === `file://${process.argv[1]}`) console.log(await featureDump(process.argv[2]!, process.argv[3]!, process.argv[4]!));
