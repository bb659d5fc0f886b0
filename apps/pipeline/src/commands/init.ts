import fs from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
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
import { UsageError, type CommandModule } from '../cli/index.js';
import { parseIntFlag } from '../cli/int-flag.js';
import { selectBackend, type BackendChoice } from '../backend.js';

interface InitOptions {
  preset: string;
  out: string;
  seed: string;
  hf?: string;
  backend: string;
  force?: boolean;
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
      .option('--seed <n>', 'seed of every initialiser', '0')
      .option('--force', 'overwrite --out if it already exists (it is replaced only once the new checkpoint is complete)')
      .option('--hf <dir>', 'take the SigLIP encoder from a Hugging Face folder (config.json + model.safetensors)')
      .option('--backend <name>', 'tfjs backend (auto | tensorflow | wasm | cpu); the so400m preset (3.4 GB) needs tensorflow or cpu, it exceeds the wasm heap', 'auto')
      .addHelpText('after', '\nExamples:\n  $ vqrae init --preset tiny --out tiny.safetensors --seed 1\n  $ vqrae init --preset small-cpu --out small.safetensors')
      .action(async (options: InitOptions) => {
        const seed = parseIntFlag(options.seed, '--seed', 0);
        checkInitOut(options.out, options.force === true);
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
        const model = await createVqrae(config, { seed, encoderParams });
        encoderParams?.dispose();
        // Written beside --out and renamed over it: a failed or interrupted init never leaves half a checkpoint
        // under the final name, and --force replaces the old file only once the new one is complete.
        const temporary = `${options.out}.tmp-${process.pid}`;
        try {
          await saveCheckpoint(model, temporary, { metadata: { 'vqrae.init_seed': String(seed), ...(options.hf ? { 'vqrae.hf_encoder': options.hf } : {}) } });
          await rename(temporary, options.out);
        } catch (error) {
          await rm(temporary, { force: true });
          throw error;
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

/** Refuses an --out that is a folder, or an existing file without --force; creates the parent folder. */
function checkInitOut(out: string, force: boolean): void {
  const existing = fs.statSync(out, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new UsageError(`init: --out ${out} is a folder; expected a .safetensors file path`);
  if (existing && !force) throw new UsageError(`init: ${out} already exists; pass --force to overwrite it`);
  const parent = path.dirname(path.resolve(out));
  const parentStat = fs.statSync(parent, { throwIfNoEntry: false });
  if (parentStat && !parentStat.isDirectory()) throw new UsageError(`init: --out ${out}: ${parent} is a file, not a folder`);
  fs.mkdirSync(parent, { recursive: true });
}
