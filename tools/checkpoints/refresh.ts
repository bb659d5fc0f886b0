/** Regenerates the committed regression fixture of every shipped checkpoint card in assets/checkpoints. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fixtureFile, measureShippedFixture, SHIPPED_DIR } from '../testing/shipped-fixture.js';
import { writeJsonAtomic } from './ship.js';

/** Loads the tfjs union package and the wasm backend (tools run outside the app, which normally does this). */
export async function useWasmBackend(): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('refresh-shipped-fixtures: the wasm backend could not be initialised');
  await tf.ready();
}

/** Measures each shipped checkpoint (one per card) and writes `test/fixtures/shipped-<name>-tokens.json`. Returns the files. */
export async function refreshShippedFixtures(log: (line: string) => void): Promise<string[]> {
  const cards = (await fs.readdir(SHIPPED_DIR)).filter((f) => f.endsWith('.json')).sort();
  const written: string[] = [];
  for (const cardFile of cards) {
    const card = JSON.parse(await fs.readFile(path.join(SHIPPED_DIR, cardFile), 'utf8')) as { name: string; file: string };
    const fixture = await measureShippedFixture(path.join(SHIPPED_DIR, card.file), card.name);
    const out = fixtureFile(card.name);
    await writeJsonAtomic(out, fixture);
    log(`${card.name}: ${fixture.images.length} images, mean PSNR ${fixture.meanPsnr.toFixed(2)} dB (floor ${fixture.psnrFloor.toFixed(2)}) → ${out}`);
    written.push(out);
  }
  return written;
}
