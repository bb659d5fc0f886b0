import fs from 'node:fs/promises';
import { zipSync } from 'fflate';
import { decodeNpy, encodeNpy, type NpyArray } from './npy.js';
import { readZipEntry, zipEntries } from './zip-reader.js';
import { writeFileAtomic } from '@vqrae/graph';

/** Names of the arrays in an `.npz` file (entry names without `.npy`). */
export async function listNpz(path: string): Promise<string[]> {
  const file = await fs.open(path, 'r');
  try {
    const { size } = await file.stat();
    return (await zipEntries(file, size, path)).map((e) => e.name.replace(/\.npy$/, ''));
  } finally {
    await file.close();
  }
}

/**
 * Reads the named arrays of an `.npz` file (np.savez / np.savez_compressed, ZIP64 included); other entries, such
 * as the image array `arr_0` of ADM reference batches, are never read. Missing names throw, listing what exists.
 */
export async function readNpzArrays(path: string, names: readonly string[]): Promise<Map<string, NpyArray>> {
  const file = await fs.open(path, 'r');
  try {
    const { size } = await file.stat();
    const entries = await zipEntries(file, size, path);
    const out = new Map<string, NpyArray>();
    for (const name of names) {
      const entry = entries.find((e) => e.name === `${name}.npy` || e.name === name);
      if (!entry) {
        throw new Error(`npz '${path}': no array '${name}' (has ${entries.map((e) => e.name.replace(/\.npy$/, '')).join(', ')})`);
      }
      out.set(name, decodeNpy(await readZipEntry(file, entry, path), `${path}:${name}`));
    }
    return out;
  } finally {
    await file.close();
  }
}

/**
 * Writes arrays as an uncompressed `.npz` (what `np.savez` writes; `np.load` reads it), atomically: a failure (full
 * disk) names the file and leaves any previous file intact.
 */
export async function writeNpz(path: string, arrays: Readonly<Record<string, NpyArray>>): Promise<void> {
  const files = Object.fromEntries(Object.entries(arrays).map(([name, array]) => [`${name}.npy`, encodeNpy(array)]));
  await writeFileAtomic(path, zipSync(files, { level: 0 }));
}
