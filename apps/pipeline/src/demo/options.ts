import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { intOption, pathOption, stringOption } from '../cli/index.js';

/** The images bundled with the repository (assets/images, see its LICENSE.md). */
export const BUNDLED_IMAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../assets/images');

/** The held-out photographs of the shipped tokenizer's photo set (assets/photos, see its README.md): 124 crops, 31 photos. */
export const HELD_OUT_PHOTOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../assets/photos/heldout-000000.tar');

/** Options of `vqrae demo` (steps add theirs here). */
export const DEMO_OPTIONS = {
  images: pathOption({ description: 'folder of images to run on', default: BUNDLED_IMAGES, mustExist: 'dir', placeholder: '<dir>' }),
  size: intOption({ description: 'side of the square centre crop, pixels', default: 256, min: 16, max: 4096 }),
  repeat: intOption({ description: 'pass over the images this many times (throughput / interrupt testing)', default: 1, min: 1 }),
  concurrency: intOption({ description: 'images decoded and cropped at once (sharp runs on the libuv pool)', default: 2, min: 1, max: 64 }),
  checkpoint: pathOption({
    description: 'checkpoint the eval and tokens steps run on and the train step fine-tunes: a shipped name (vqrae info) or a .safetensors file',
    default: 'small-cpu',
    mustExist: 'file',
    shipped: true,
    placeholder: '<name|file>',
  }),
  evalData: stringOption({
    description: 'shards the eval step evaluates on (default: the shipped tokenizer\'s held-out photographs)',
    default: HELD_OUT_PHOTOS,
    placeholder: '<shards>',
  }),
  steps: stringOption({ description: 'comma-separated demo steps to run (default: all)', placeholder: '<names>' }),
} as const;
