import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/** Four deterministic 48×48 PNGs (gradients) in `dir`, the fewest images the demo accepts; returns `dir`. */
export async function writeDemoImages(dir: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 4; i++) {
    const rgb = Buffer.alloc(48 * 48 * 3, 0);
    for (let p = 0; p < 48 * 48; p++) rgb.set([(p * (i + 3)) % 256, (p >> 4) % 256, i * 60], p * 3);
    await sharp(rgb, { raw: { width: 48, height: 48, channels: 3 } }).png().toFile(path.join(dir, `img-${i}.png`));
  }
  return dir;
}

/** `text` as a literal inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
