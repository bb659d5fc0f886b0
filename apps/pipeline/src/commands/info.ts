import os from 'node:os';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { writersOf, type CommandModule } from '../cli/index.js';
import { loadTf, selectBackend, type BackendChoice } from '../backend.js';

/** `vqrae info`: versions, cores and which tfjs backend a run would use (paste it into bug reports). */
export const infoCommand: CommandModule = {
  name: 'info',
  register(program) {
    program
      .command('info')
      .description('print versions, cores and the tfjs backend a run would use')
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
        ];
        writersOf(command).writeOut(`${lines.join('\n')}\n`);
      });
  },
};
