/**
 * The committed regression values of a shipped checkpoint: token ids and reconstruction PSNR of the bundled images
 * (`assets/images`, the preset's protocol: centre crop at the encoder's input size). Measured by
 * `tools/checkpoints/refresh-shipped-fixtures.ts` (also run by `ship-checkpoint.ts`) and checked by the
 * regression test `apps/pipeline/test/checkpoints/shipped-small-cpu.test.ts`. The caller registers the tfjs backend.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listImageFiles, loadImage, pixelBatch } from '@vqrae/data';
import { psnr } from '@vqrae/eval';
import { sha256File } from '@vqrae/nn';
import { loadCheckpoint, tfjsEngine } from '@vqrae/tokenizer';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The bundled images the fixture is measured on. */
export const FIXTURE_IMAGES = path.join(ROOT, 'assets/images');
/** The shipped checkpoints folder. */
export const SHIPPED_DIR = path.join(ROOT, 'assets/checkpoints');
/** The committed fixture of a shipped checkpoint. */
export const fixtureFile = (name: string): string => path.join(ROOT, 'test/fixtures', `shipped-${name}-tokens.json`);
/** Margin below the measured mean PSNR that the regression test still accepts. */
export const PSNR_MARGIN_DB = 0.5;
/** The command that regenerates every fixture (named in the test's failure messages). */
export const REFRESH_COMMAND = 'node --import tsx tools/checkpoints/refresh-shipped-fixtures.ts';

/** Per-image values: key (file name without extension), token ids `[N]` in raster order, PSNR of the reconstruction. */
export interface FixtureImage {
  readonly key: string;
  readonly tokens: number[];
  readonly psnr: number;
}

/** The JSON fixture. */
export interface ShippedFixture {
  readonly checkpoint: string;
  readonly sha256: string;
  readonly protocol: { readonly crop: 'center'; readonly size: number };
  readonly tokensPerImage: number;
  readonly codebookSize: number;
  readonly meanPsnr: number;
  /** meanPsnr − PSNR_MARGIN_DB: the regression floor. */
  readonly psnrFloor: number;
  readonly regenerate: string;
  readonly images: FixtureImage[];
}

/** Tokenizes and reconstructs every bundled image with `checkpointFile` (tfjs engine, one batch) and returns the fixture. */
export async function measureShippedFixture(checkpointFile: string, name: string): Promise<ShippedFixture> {
  const sha256 = await sha256File(checkpointFile);
  const model = await loadCheckpoint(checkpointFile);
  const engine = tfjsEngine(model);
  try {
    const files = (await listImageFiles(FIXTURE_IMAGES)).sort((a, b) => a.key.localeCompare(b.key));
    const size = engine.inputSize;
    const crops = await Promise.all(files.map(async (f) => loadImage(await fs.readFile(f.path), { crop: { protocol: 'center', size } }, f.key)));
    const { indices, pixels } = await engine.reconstruct(pixelBatch(crops)); // [B, N], [B, S_out, S_out, 3]
    const n = engine.tokensPerImage;
    const out = engine.outputSize;
    if (out !== size) throw new Error(`shipped fixture: ${name} decodes ${out} px from ${size} px input; PSNR needs equal sizes`);
    const perImage = out * out * 3;
    const images = files.map((f, b): FixtureImage => ({
      key: f.key,
      tokens: Array.from(indices.subarray(b * n, (b + 1) * n)),
      psnr: psnr(
        { kind: 'uint8', data: crops[b]!.data, height: size, width: size, channels: 3 },
        { kind: 'pixel01', data: pixels.subarray(b * perImage, (b + 1) * perImage), height: out, width: out, channels: 3 },
      ),
    }));
    const meanPsnr = images.reduce((s, i) => s + i.psnr, 0) / images.length;
    return {
      checkpoint: path.relative(ROOT, checkpointFile),
      sha256,
      protocol: { crop: 'center', size },
      tokensPerImage: n,
      codebookSize: engine.codebookSize,
      meanPsnr,
      psnrFloor: meanPsnr - PSNR_MARGIN_DB,
      regenerate: REFRESH_COMMAND,
      images,
    };
  } finally {
    await engine.dispose();
  }
}
