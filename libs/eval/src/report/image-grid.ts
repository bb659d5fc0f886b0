import sharp from 'sharp';
import { hostImageBytes, type HostImage } from '../metrics/host-image.js';
import { escapeHtml } from './html.js';

/** One original/reconstruction pair for the preview grid, named by its sample key. */
export interface PreviewPair {
  readonly key: string;
  readonly original: HostImage;
  readonly reconstruction: HostImage;
  /** Optional per-image caption, e.g. `PSNR 23.41 dB · SSIM 0.781`. */
  readonly caption?: string;
}

/** Encodes a 1-, 3- or 4-channel image (uint8, or pixel01 rounded half up) as PNG and returns a data: URI. */
export async function pngDataUri(image: HostImage): Promise<string> {
  if (![1, 3, 4].includes(image.channels)) throw new Error(`pngDataUri: cannot encode ${image.channels} channels as PNG`);
  const pixels = hostImageBytes(image);
  const png = await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 | 4 },
  }).png({ compressionLevel: 9 }).toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The original | reconstruction grid as HTML with embedded PNGs (self-contained). */
export async function imageGridHtml(pairs: readonly PreviewPair[]): Promise<string> {
  const cells = await Promise.all(pairs.map(async (pair) => {
    const [a, b] = await Promise.all([pngDataUri(pair.original), pngDataUri(pair.reconstruction)]);
    const key = escapeHtml(pair.key);
    const caption = pair.caption ? `<div>${escapeHtml(pair.caption)}</div>` : '';
    return `<figure class="pair"><img src="${a}" alt="original ${key}"> <img src="${b}" alt="reconstruction ${key}">` +
      `<figcaption><div class="key">${key}</div>${caption}</figcaption></figure>`;
  }));
  return `<p>left: original, right: reconstruction</p>\n<div class="grid">\n${cells.join('\n')}\n</div>`;
}
