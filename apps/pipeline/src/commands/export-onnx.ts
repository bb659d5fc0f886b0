import fs from 'node:fs';
import path from 'node:path';
import { Option } from 'commander';
import { sha256File } from '@vqrae/nn';
import { loadCheckpoint } from '@vqrae/tokenizer';
import { UsageError, writersOf, type CommandModule } from '../cli/index.js';
import { selectBackend, type BackendChoice } from '../backend.js';
import { resolveCheckpointArgument } from '../cli/checkpoint-argument.js';

interface ExportOnnxCliOptions {
  checkpoint: string;
  graph: string;
  fp16: boolean;
  out: string;
  force: boolean;
  backend: string;
}

const GRAPHS = ['tokenize', 'reconstruct', 'encode', 'decode', 'features'] as const;

function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * `vqrae export-onnx`: one fused graph of a checkpoint as an ONNX model (pixel01 NHWC in, normalisation inside),
 * runnable by any ONNX Runtime (Python, C++, the browser). Refuses to overwrite without `--force`; prints what it
 * wrote: files, sizes, inputs/outputs and metadata.
 */
export const exportOnnxCommand: CommandModule = {
  name: 'export-onnx',
  register(program) {
    program
      .command('export-onnx')
      .description('export a checkpoint as an ONNX model (tokenize, reconstruct, encode, decode or features graph)')
      .requiredOption('--checkpoint <file|name>', 'VQRAE checkpoint (.safetensors) or a shipped name (vqrae info)')
      .addOption(new Option('--graph <kind>', 'which graph').choices(GRAPHS).default('tokenize'))
      .option('--fp16', 'store weights and compute in float16 (inputs/outputs stay float32, the code search float32)', false)
      .requiredOption('--out <file>', 'model to write (.onnx; initializers past ~1.5 GiB go to <file>.data next to it)')
      .option('--force', 'overwrite an existing file', false)
      .option('--backend <name>', 'tfjs backend used to read the checkpoint (auto | tensorflow | wasm | cpu)', 'auto')
      .addHelpText(
        'after',
        [
          '',
          'Graphs (batch is a symbolic dimension; N tokens per image, d encoder width):',
          '  tokenize     pixels → indices int32 [batch, N]',
          '  reconstruct  pixels → indices + reconstruction float32 [batch, S_out, S_out, 3] (not clamped)',
          '  encode       pixels → features float32 [batch, N, d] + indices',
          '  features     pixels → features',
          '  decode       indices int32 [batch, N] → pixels float32 [batch, S_out, S_out, 3]',
          'pixels: float32 NHWC [batch, S, S, 3] in [0, 1]; the model normalises them itself. Prints the files written,',
          'the inputs/outputs and the metadata (vqrae.*: config, tie rule, checkpoint sha256).',
          '',
          'Examples:',
          '  $ vqrae export-onnx --checkpoint ck.safetensors --graph tokenize --out tokenize.onnx',
          '  $ vqrae export-onnx --checkpoint ck.safetensors --graph decode --fp16 --out decode-fp16.onnx',
        ].join('\n'),
      )
      .action(async (options: ExportOnnxCliOptions, command: Parameters<typeof writersOf>[0]) => {
        const out = path.resolve(options.out);
        if (!options.out.endsWith('.onnx')) throw new UsageError(`export-onnx: --out must name a .onnx file, got '${options.out}'`);
        for (const file of [out, `${out}.data`]) {
          if (fs.existsSync(file) && !options.force) throw new UsageError(`export-onnx: ${file} exists (--force to overwrite)`);
        }
        options.checkpoint = resolveCheckpointArgument(options.checkpoint, 'export-onnx --checkpoint').file;
        const backend = await selectBackend(options.backend as BackendChoice);
        process.stderr.write(`${backend.message}\n`);
        const { describeOnnxModel, exportOnnx, writeOnnxArtifact } = await import('@vqrae/onnx');
        const model = await loadCheckpoint(options.checkpoint);
        let written: string[];
        let describe: string[];
        try {
          const sha = await sha256File(options.checkpoint);
          const artifact = exportOnnx(model, options.graph as (typeof GRAPHS)[number], {
            fp16: options.fp16,
            metadata: { 'vqrae.checkpoint_sha256': sha, 'vqrae.checkpoint': path.basename(options.checkpoint) },
          });
          fs.mkdirSync(path.dirname(out), { recursive: true });
          written = await writeOnnxArtifact(artifact, out);
          describe = describeOnnxModel(artifact.model, artifact.metadata);
        } finally {
          model.dispose();
        }
        const files = written.map((f) => `${f} (${mebibytes(fs.statSync(f).size)})`);
        writersOf(command).writeOut(`wrote ${files.join(', ')}\n${describe.join('\n')}\n`);
      });
  },
};
