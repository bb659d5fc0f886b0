/**
 * The option group every inference command shares (`--engine`, `--ep`, `--threads`), declared once and spread into
 * each command's options.
 */
import { ENGINE_KINDS, EXECUTION_PROVIDERS } from '@vqrae/tokenizer';
import { intOption, stringOption, type ResolvedOptions } from '../cli/option-spec.js';

export { ENGINE_KINDS, EXECUTION_PROVIDERS, type EngineChoice, type ExecutionProvider } from '@vqrae/tokenizer';

export const ENGINE_OPTIONS = {
  engine: stringOption({
    description: 'inference engine; auto = onnx when onnxruntime-node loads, else tfjs (one line says which and why)',
    choices: ENGINE_KINDS,
    default: 'auto',
    placeholder: '<name>',
  }),
  ep: stringOption({
    description: 'ONNX Runtime execution provider (an unavailable one is an error, never a silent fallback)',
    choices: EXECUTION_PROVIDERS,
    default: 'cpu',
    placeholder: '<provider>',
  }),
  threads: intOption({
    description: 'ONNX Runtime intra-op threads (default: the cores this process may use)',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    placeholder: '<n>',
  }),
} as const;

export type EngineOptions = ResolvedOptions<typeof ENGINE_OPTIONS>;
