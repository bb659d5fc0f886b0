import os from 'node:os';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { writersOf, type CommandModule } from '../cli/index.js';
import { loadTf, selectBackend, type BackendChoice } from '../backend.js';
import { shippedCheckpointLines } from '../checkpoints/shipped-lines.js';

/** One line per ONNX Runtime execution provider: whether a session loads here, and why not / how to get it. */
async function providerLines(): Promise<string[]> {
  try {
    const onnx = await import('@vqrae/onnx');
    const loaded = await onnx.loadOnnxRuntime();
    const engine = loaded.ok ? `engine (--engine auto): onnx via onnxruntime-node ${loaded.version} (tokenizer and FID-Inception)` : `engine (--engine auto): tfjs (${loaded.reason})`;
    const rows = await onnx.listExecutionProviders();
    return [engine, 'execution providers (--ep):', ...rows.map((r) => `  ${r.name}: ${r.loads ? 'loads' : 'unavailable'} (${r.note})`)];
  } catch (error) {
    return [`engine (--engine auto): tfjs (@vqrae/onnx failed to load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`];
  }
}

/** `vqrae info`: versions, cores, which tfjs backend and engine a run would use, the execution providers that load. */
export const infoCommand: CommandModule = {
  name: 'info',
  register(program) {
    program
      .command('info')
      .description('print versions, cores, the tfjs backend and the inference engine a run would use, which ONNX Runtime providers load, and the shipped checkpoints')
      .option('--backend <name>', 'backend to try (auto | tensorflow | wasm | cpu)', 'auto')
      .action(async (options: { backend: string }, command: { configureOutput(): unknown }) => {
        const tf = await loadTf();
        const selection = await selectBackend(options.backend as BackendChoice);
        const require = createRequire(import.meta.url);
        const highland = (require('highland/package.json') as { version: string }).version;
        const lines = [
          `vqrae 0.1.0 on node ${process.versions.node} (${process.platform}-${process.arch}), ${os.availableParallelism()} cores`,
          `tfjs ${tf.version.tfjs}; sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}); highland ${highland}`,
          `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
          selection.message,
          ...(await providerLines()),
          ...shippedCheckpointLines(),
        ];
        writersOf(command).writeOut(`${lines.join('\n')}\n`);
      });
  },
};
