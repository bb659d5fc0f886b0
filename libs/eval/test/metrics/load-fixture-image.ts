import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { uint8Image, type Uint8Image } from '../../src/index.js';

/** Folder of the committed metric fixtures (made by tools/fixtures/eval/*.py). */
export const METRIC_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/metrics');

/** Decodes one fixture PNG to a uint8 [H, W, C] image (lossless). */
export async function loadFixtureImage(file: string): Promise<Uint8Image> {
  const { data, info } = await sharp(path.join(METRIC_FIXTURES, file)).raw().toBuffer({ resolveWithObject: true });
  return uint8Image(new Uint8Array(data.buffer, data.byteOffset, data.length), info.height, info.width, info.channels);
}
