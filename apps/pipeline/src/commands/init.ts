import { stat } from 'node:fs/promises';
import { Option } from 'commander';
import { sha256File } from '@vqrae/nn';
import {
  VQRAE_PRESETS,
  countParams,
  createVqrae,
  loadHfSiglip,
  presetConfig,
  saveCheckpoint,
  type VqraeConfig,
} from '@vqrae/tokenizer';
import type { CommandModule } from '../cli/index.js';
import { selectBackend, type BackendChoice } from '../backend.js';

interface InitOptions {
  preset: string;
  out: string;
  seed: number;
  hf?: string;
  backend: string;
}

function millions(n: number): string {
  return `${(n / 1e6).toFixed(3)} M`;
}

/**
 * `vqrae init`: writes a freshly initialised VQRAE checkpoint (seeded) for a preset. With `--hf <dir>` the SigLIP
 * encoder comes from a Hugging Face folder (config.json + model.safetensors) and only quantizer and decoder are
 * random. The checkpoint carries its resolved config, so every other command rebuilds the model from it alone.
 */
export const initCommand: CommandModule = {
  name: 'init',
  register(program) {
    program
      .command('init')
      .description('write a randomly initialised (seeded) VQRAE checkpoint for a preset')
      .addOption(new Option('--preset <name>', 'model preset').choices(Object.keys(VQRAE_PRESETS)).makeOptionMandatory())
      .requiredOption('--out <file>', 'checkpoint to write (.safetensors)')
      .option('--seed <n>', 'seed of every initialiser', (text) => {
        const value = Number(text);
        if (!Number.isInteger(value) || value < 0) throw new Error(`--seed: expected a non-negative integer, got '${text}'`);
        return value;
      }, 0)
      .option('--hf <dir>', 'take the SigLIP encoder from a Hugging Face folder (config.json + model.safetensors)')
      .option('--backend <name>', 'tfjs backend (auto | tensorflow | wasm | cpu); the so400m preset (3.4 GB) needs tensorflow or cpu, it exceeds the wasm heap', 'auto')
      .addHelpText('after', '\nExamples:\n  $ vqrae init --preset tiny --out tiny.safetensors --seed 1\n  $ vqrae init --preset small-cpu --out small.safetensors')
      .action(async (options: InitOptions) => {
        const backend = await selectBackend(options.backend as BackendChoice);
        process.stderr.write(`${backend.message}\n`);
        let config: VqraeConfig = presetConfig(options.preset);
        let encoderParams;
        if (options.hf !== undefined) {
          if (config.encoder.kind !== 'siglip-vit') throw new Error(`init: --hf needs a SigLIP preset, '${options.preset}' uses ${config.encoder.kind}`);
          const loaded = await loadHfSiglip({ dir: options.hf }, { postLnAffine: config.encoder.postLnAffine });
          config = { ...config, encoder: loaded.config };
          encoderParams = loaded.params;
        }
        const model = await createVqrae(config, { seed: options.seed, encoderParams });
        encoderParams?.dispose();
        try {
          await saveCheckpoint(model, options.out, { metadata: { 'vqrae.init_seed': String(options.seed), ...(options.hf ? { 'vqrae.hf_encoder': options.hf } : {}) } });
        } finally {
          model.dispose();
        }
        const counts = countParams(config);
        const bytes = (await stat(options.out)).size;
        const lines = [
          `preset ${config.preset}: encoder ${config.encoder.kind} ${millions(counts.encoder)}, quant_in+W,b ${millions(counts.quantizerTrainable)}, codebook (frozen) ${millions(counts.codebook)}, decoder ${millions(counts.decoder)}; total ${millions(counts.total)}`,
          `tokens/image ${model.tokensPerImage} of ${Math.ceil(Math.log2(config.quantizer.codebookSize))} bits; input ${model.inputSize} px → output ${model.outputSize} px`,
          `wrote ${options.out} (${(bytes / 2 ** 20).toFixed(1)} MiB, sha256 ${await sha256File(options.out)})`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      });
  },
};
