/**
 * `node --import tsx tools/checkpoints/ship-checkpoint.ts --in runs/x/model-ema.safetensors [--name small-cpu]
 *   [--description <line>] [--run-config runs/x/config.json] [--step N] [--placeholder] [--no-fixtures] [--dir <folder>]`
 *
 * The one command to (re)ship a checkpoint: writes `assets/checkpoints/<name>.safetensors` (F16, metadata kept) and
 * `<name>.json` (card: sha256, preset, parameter count, source run), then regenerates the regression fixtures that
 * depend on it (`test/fixtures/shipped-<name>-tokens.json`).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { refreshShippedFixtures, useWasmBackend } from './refresh.js';
import { shipCheckpoint } from './ship.js';
import { SHIPPED_DIR } from '../testing/shipped-fixture.js';

const LICENCE =
  'Code Apache-2.0. Weights trained on photographs from Debian packages under free licences (GPL-2+, CC0-1.0, ' +
  'CC-BY-SA-3.0, CC-BY-2.0, Expat), one licence per sample in the training-data manifest written by ' +
  'tools/photos/build-photo-shards.ts; see assets/checkpoints/README.md.';

const { values } = parseArgs({
  options: {
    in: { type: 'string' },
    name: { type: 'string', default: 'small-cpu' },
    description: { type: 'string' },
    'run-config': { type: 'string' },
    step: { type: 'string' },
    placeholder: { type: 'boolean', default: false },
    'no-fixtures': { type: 'boolean', default: false },
    dir: { type: 'string', default: SHIPPED_DIR },
  },
});
if (values.in === undefined) {
  console.error('ship-checkpoint: --in <model-ema.safetensors> is required');
  process.exit(2);
}
const step = values.step !== undefined ? Number(values.step) : undefined;
if (step !== undefined && !Number.isSafeInteger(step)) {
  console.error(`ship-checkpoint: --step must be an integer, got '${values.step}'`);
  process.exit(2);
}
const description =
  values.description ??
  (values.placeholder
    ? 'PLACEHOLDER (seeded, untrained): stands in until the trained small-cpu checkpoint is shipped'
    : 'small CPU tokenizer: frozen MobileNetV2 at 224 px → 14×14 tokens of a 1024-entry codebook, ViT decoder');
const out = path.join(values.dir, `${values.name}.safetensors`);
const card = await shipCheckpoint(values.in, out, {
  name: values.name,
  description,
  placeholder: values.placeholder,
  licence: LICENCE,
  ...(values['run-config'] !== undefined ? { runConfig: values['run-config'] } : {}),
  ...(step !== undefined ? { step } : {}),
});
console.log(`shipped ${card.name}: ${out} (${(card.bytes / 2 ** 20).toFixed(1)} MiB F16, sha256 ${card.sha256}, ${card.parameters.total} parameters)`);
// The fixtures belong to the repository's shipped set; a checkpoint shipped elsewhere (--dir) has none.
if (!values['no-fixtures'] && path.resolve(values.dir) === SHIPPED_DIR) {
  await useWasmBackend();
  await refreshShippedFixtures((line) => console.log(line));
}
